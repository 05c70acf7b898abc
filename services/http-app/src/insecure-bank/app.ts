/**
 * The book's app_insecure.py (ch. 11), flaw for flaw, so that its attacks can be shown working:
 * the session is a cookie holding the username itself (anyone can write `username=brandon`),
 * no CSRF token (a form on any page can pay), nothing escaped (a memo or `?flash=` of
 * `<script>` runs: XSS), GET /logout, and the usual Flask cookie with no HttpOnly or SameSite.
 *
 * Never reachable from another machine: `http-app insecure-bank` binds loopback addresses only
 * (src/insecure-bank/command.ts), and `serve` never mounts it.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import Fastify from 'fastify';
import { verifyPassword } from '../bank/passwords.js';
import type { BankStore } from '../bank/store.js';
import { STYLESHEET } from '../bank/templates.js';
import { field, parseForm } from '../echo/form.js';
import type { Args } from '../echo/request-info.js';
import { createInsecureTemplates } from './templates.js';

export async function createInsecureBank(store: BankStore): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, requestTimeout: 30_000, keepAliveTimeout: 5_000 });
  const eta = createInsecureTemplates();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseForm(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  const html = (reply: FastifyReply, name: string, data: Record<string, unknown>) =>
    reply.type('text/html; charset=utf-8').send(eta.render(name, data));
  const form = (body: unknown) => (body ?? {}) as Args;
  const userOf = (cookie: string | undefined) => {
    for (const pair of (cookie ?? '').split(';')) {
      const [name, ...value] = pair.trim().split('=');
      if (name === 'username') return decodeURIComponent(value.join('='));
    }
    return '';
  };

  app.get('/static/style.css', (_req, reply) => reply.type('text/css; charset=utf-8').send(STYLESHEET));

  app.route({
    method: ['GET', 'POST'],
    url: '/login',
    async handler(request, reply) {
      const username = field(form(request.body), 'username');
      const password = field(form(request.body), 'password');
      if (
        request.method === 'POST' &&
        (await verifyPassword(password, await store.passwordHashOf(username)))
      ) {
        // Flask's response.set_cookie('username', username): Path=/, nothing else.
        return reply
          .header('set-cookie', `username=${encodeURIComponent(username)}; Path=/`)
          .redirect('/', 302);
      }
      return html(reply, '@login', { username });
    },
  });

  app.get('/logout', (_request, reply) =>
    reply.header('set-cookie', 'username=; Path=/').redirect('/login', 302),
  );

  app.get<{ Querystring: Args }>('/', async (request, reply) => {
    const username = userOf(request.headers.cookie);
    if (!username) return reply.redirect('/login', 302);
    const flash = request.query.flash;
    return html(reply, '@index', {
      username,
      // The book's bank.get_payments_of orders by id, oldest first (the store: newest first).
      payments: (await store.paymentsOf(username)).reverse(),
      flashMessages: flash === undefined ? [] : Array.isArray(flash) ? flash : [flash],
    });
  });

  app.route({
    method: ['GET', 'POST'],
    url: '/pay',
    async handler(request, reply) {
      const username = userOf(request.headers.cookie);
      if (!username) return reply.redirect('/login', 302);
      const account = field(form(request.body), 'account').trim();
      const dollars = field(form(request.body), 'dollars').trim();
      const memo = field(form(request.body), 'memo').trim();
      let complaint: string | undefined;
      if (request.method === 'POST') {
        const isDigit = /^\d+$/.test(dollars);
        if (account && dollars && isDigit && memo) {
          await store.addPayment({ payer: username, payee: account, dollars: Number(dollars), memo });
          return reply.redirect('/?flash=Payment+successful', 302);
        }
        complaint = !isDigit ? 'Dollars must be an integer' : 'Please fill in all three fields';
      }
      return html(reply, '@pay', { complaint, account, dollars, memo });
    },
  });
  return app;
}
