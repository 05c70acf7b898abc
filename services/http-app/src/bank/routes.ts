/**
 * The bank of the book's app_improved.py (ch. 11) under /bank, secure by construction:
 * CSRF token on every state-changing form, auto-escaping templates, a signed HttpOnly
 * SameSite=Lax session cookie, CSP and the usual headers (helmet), rate-limited logins,
 * no open redirect after login, and clear 400/403/404/413/429 pages.
 */

import { STATUS_CODES } from 'node:http';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { field, parseForm } from '../echo/form.js';
import type { Args } from '../echo/request-info.js';
import { HttpAppError } from '../errors.js';
import { verifyPassword } from './passwords.js';
import {
  currentSession,
  endSession,
  LOGIN_CSRF_COOKIE,
  loginToken,
  safeNext,
  sameToken,
  signedCookie,
  startSession,
} from './session.js';
import type { BankStore, Session } from './store.js';
import { createTemplates, STYLESHEET } from './templates.js';
import { checkPayment } from './validate.js';

export interface BankOptions {
  store: BankStore;
  /** Signs the session cookie. */
  sessionSecret: string;
  /** Login attempts per client IP per minute. */
  loginRateLimit: number;
}

const FLASHES: Record<string, string> = { paid: 'Payment successful' };

export async function bankRoutes(app: FastifyInstance, opts: BankOptions): Promise<void> {
  const { store } = opts;
  const eta = createTemplates();

  await app.register(cookie, { secret: opts.sessionSecret });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseForm(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'same-origin' },
  });
  await app.register(rateLimit, { global: false });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });

  const render = (reply: FastifyReply, name: string, data: Record<string, unknown>, status = 200) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(eta.render(name, { username: undefined, csrfToken: undefined, ...data }));

  const requireSession = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<Session | undefined> => {
    const session = await currentSession(request, store);
    if (!session) {
      const next = safeNext(request.url);
      reply.redirect(
        `/bank/login${next && next !== '/bank/' ? `?next=${encodeURIComponent(next)}` : ''}`,
        303,
      );
    }
    return session;
  };

  const checkCsrf = (expected: string | undefined, form: Args) => {
    if (!sameToken(field(form, 'csrf_token'), expected)) throw new HttpAppError('CSRF');
  };

  app.get('/static/style.css', (_req, reply) => {
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET);
  });

  app.get<{ Querystring: { flash?: string } }>('/', async (request, reply) => {
    const session = await requireSession(request, reply);
    if (!session) return reply;
    const payments = await store.paymentsOf(session.username);
    return render(reply, '@account', {
      title: 'Your account',
      username: session.username,
      csrfToken: session.csrfToken,
      payments,
      flash: FLASHES[request.query.flash ?? ''],
    });
  });

  app.get<{ Querystring: { next?: string } }>('/login', async (request, reply) => {
    if (await currentSession(request, store))
      return reply.redirect(safeNext(request.query.next) ?? '/bank/', 303);
    return render(reply, '@login', {
      title: 'Log in',
      loginToken: loginToken(request, reply),
      next: safeNext(request.query.next),
      typed: '',
    });
  });

  app.post<{ Querystring: { next?: string } }>(
    '/login',
    { config: { rateLimit: { max: opts.loginRateLimit, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const form = (request.body ?? {}) as Args;
      checkCsrf(signedCookie(request, LOGIN_CSRF_COOKIE), form);
      const username = field(form, 'username').trim();
      const ok = await verifyPassword(field(form, 'password'), await store.passwordHashOf(username));
      if (!ok) {
        request.log.info({ username }, 'login failed');
        return render(
          reply,
          '@login',
          {
            title: 'Log in',
            complaint: 'Wrong username or password',
            loginToken: loginToken(request, reply),
            next: safeNext(request.query.next),
            // The typed name comes back escaped, and never appears as the signed-in user.
            username: undefined,
            csrfToken: undefined,
            typed: username,
          },
          401,
        );
      }
      await startSession(request, reply, store, username);
      request.log.info({ username }, 'login');
      return reply.redirect(safeNext(request.query.next) ?? '/bank/', 303);
    },
  );

  app.post('/logout', async (request, reply) => {
    const session = await currentSession(request, store);
    if (session) checkCsrf(session.csrfToken, (request.body ?? {}) as Args);
    await endSession(request, reply, store);
    return reply.redirect('/bank/login', 303);
  });

  app.get('/pay', async (request, reply) => {
    const session = await requireSession(request, reply);
    if (!session) return reply;
    return render(reply, '@pay', {
      title: 'Pay',
      username: session.username,
      csrfToken: session.csrfToken,
      account: '',
      dollars: '',
      memo: '',
    });
  });

  app.post('/pay', async (request, reply) => {
    const session = await requireSession(request, reply);
    if (!session) return reply;
    const form = (request.body ?? {}) as Args;
    checkCsrf(session.csrfToken, form);
    const values = {
      account: field(form, 'account').trim(),
      dollars: field(form, 'dollars').trim(),
      memo: field(form, 'memo').trim(),
    };
    const check = checkPayment(values);
    if (!check.ok) {
      return render(
        reply,
        '@pay',
        {
          title: 'Pay',
          username: session.username,
          csrfToken: session.csrfToken,
          complaint: check.complaint,
          ...values,
        },
        400,
      );
    }
    await store.addPayment({
      payer: session.username,
      payee: values.account,
      dollars: check.dollars,
      memo: values.memo,
    });
    request.log.info({ payer: session.username, payee: values.account, dollars: check.dollars }, 'payment');
    return reply.redirect('/bank/?flash=paid', 303);
  });

  app.setNotFoundHandler((request, reply) =>
    render(
      reply,
      '@error',
      {
        title: 'Not found',
        status: 404,
        reason: 'Not Found',
        message: `There is no page at ${request.url}.`,
      },
      404,
    ),
  );

  app.setErrorHandler((error: FastifyError & { headers?: Record<string, string> }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'bank request failed');
    const message =
      status >= 500
        ? 'Something went wrong on our side; please try again.'
        : status === 413
          ? 'That request was too large.'
          : status === 429
            ? 'Too many login attempts from your address; wait a minute and try again.'
            : error.message;
    if (error.headers) reply.headers(error.headers);
    return render(
      reply,
      '@error',
      { title: STATUS_CODES[status] ?? 'Error', status, reason: STATUS_CODES[status] ?? 'Error', message },
      status,
    );
  });
}
