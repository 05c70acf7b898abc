/**
 * httpbin's redirect family: /redirect/:n (relative or ?absolute=true), /relative-redirect/:n,
 * /absolute-redirect/:n and /redirect-to. Chains are capped at MAX_REDIRECTS hops (httpbin has
 * no cap) and /redirect-to only leaves this server for hosts the operator allowed: an open
 * redirect on a site's own origin is a phishing tool (OWASP "Unvalidated Redirects").
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { factsOf } from '../echo/facts.js';
import { HttpAppError } from '../errors.js';
import { ALL_METHODS } from './catalog.js';
import { hopCount, queryParam } from './params.js';

export const MAX_REDIRECTS = 20;

export interface RedirectOptions {
  /** Hosts /redirect-to may send clients to besides this server ('*': any). */
  redirectToHosts: readonly string[];
}

const GROUP = 'Redirects';

/** Flask's redirect(): 302 with a small HTML page naming the target, as httpbin answers. */
export function redirectWithPage(reply: FastifyReply, location: string, status = 302): FastifyReply {
  const href = escapeHtml(location);
  return reply
    .code(status)
    .header('location', location)
    .type('text/html; charset=utf-8')
    .send(
      '<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n' +
        `<p>You should be redirected automatically to the target URL: <a href="${href}">${href}</a>. If not, click the link.\n`,
    );
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
};

/** Python's html.escape, so the page matches httpbin's byte for byte. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

function origin(req: FastifyRequest): string {
  const f = factsOf(req);
  return `${f.protocol}://${f.host}`;
}

export async function redirectRoutes(app: FastifyInstance, opts: RedirectOptions): Promise<void> {
  app.get<{ Params: { n: string } }>(
    '/redirect/:n',
    {
      config: {
        summary: `302 redirects n times, then /get (?absolute=true: absolute Locations; n ≤ ${MAX_REDIRECTS})`,
        group: GROUP,
      },
    },
    (req, reply) => {
      const n = hopCount(req.params.n, MAX_REDIRECTS);
      const absolute = (queryParam(req.query, 'absolute') ?? 'false').toLowerCase() === 'true';
      const base = absolute ? origin(req) : '';
      const next = n === 1 ? '/get' : `/${absolute ? 'absolute' : 'relative'}-redirect/${n - 1}`;
      return redirectWithPage(reply, base + next);
    },
  );

  app.get<{ Params: { n: string } }>(
    '/relative-redirect/:n',
    { config: { summary: 'relative 302 redirects n times, then /get', group: GROUP } },
    (req, reply) => {
      const n = hopCount(req.params.n, MAX_REDIRECTS);
      // httpbin builds this one by hand: a bare 302 with an empty body.
      reply
        .code(302)
        .header('location', n === 1 ? '/get' : `/relative-redirect/${n - 1}`)
        .type('text/html; charset=utf-8')
        .send('');
    },
  );

  app.get<{ Params: { n: string } }>(
    '/absolute-redirect/:n',
    { config: { summary: 'absolute 302 redirects n times, then /get', group: GROUP } },
    (req, reply) => {
      const n = hopCount(req.params.n, MAX_REDIRECTS);
      return redirectWithPage(reply, origin(req) + (n === 1 ? '/get' : `/absolute-redirect/${n - 1}`));
    },
  );

  app.route({
    method: ALL_METHODS,
    url: '/redirect-to',
    config: {
      summary: '?url=U&status_code=3xx: redirects to U (this server, or a host in REDIRECT_TO_HOSTS)',
      group: GROUP,
    },
    handler(req, reply) {
      const url = queryParam(req.query, 'url');
      if (url === undefined || url === '')
        throw new HttpAppError('BAD_PARAMETER', 'url is required: /redirect-to?url=/get');
      checkTarget(url, req, opts.redirectToHosts);
      const code = Number(queryParam(req.query, 'status_code') ?? 302);
      const status = Number.isInteger(code) && code >= 300 && code < 400 ? code : 302;
      reply.code(status).header('location', url).type('text/html; charset=utf-8').send('');
    },
  });
}

/** A path on this server is always fine; another host only if the operator listed it. */
function checkTarget(url: string, req: FastifyRequest, allowed: readonly string[]): void {
  let target: URL;
  const here = origin(req);
  try {
    target = new URL(url, here);
  } catch {
    throw new HttpAppError('BAD_PARAMETER', `url ${JSON.stringify(url)} is not a URL`);
  }
  if (target.origin === new URL(here).origin) return;
  if (allowed.includes('*') || allowed.includes(target.host) || allowed.includes(target.hostname)) return;
  throw new HttpAppError(
    'BAD_PARAMETER',
    `redirect to ${target.host} refused: /redirect-to only leaves this server for hosts in REDIRECT_TO_HOSTS (no open redirect)`,
  );
}
