/**
 * httpbin's CORS, minus one header. httpbin allows every origin (echoing Origin) *with*
 * credentials; here the bank shares the origin, and /cookies and /headers echo the bank's
 * session cookie, so credentialed cross-site reads stay forbidden: no
 * Access-Control-Allow-Credentials (a deliberate difference, listed in the differential test).
 */
import { httpErrorOf } from '@fopnp/net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MethodNotAllowedError } from '../errors.js';
import type { RouteCatalog } from './catalog.js';

/**
 * onRequest hook of the echo scope. On the reply, not with res.setHeader: a header set on the
 * raw response takes Node's writeHead off its fast path (bench/get-vs-bare.ts: /get at 0.88x
 * of bare node:http that way). Hijacked (streamed) routes write reply.getHeaders() themselves.
 */
export function allowAnyOrigin(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.header('access-control-allow-origin', req.headers.origin ?? '*');
  done();
}

/**
 * A request no route took: OPTIONS on an echo path is a CORS preflight (200, as Flask answers
 * it), another method on an echo path is a 405 with Allow. False when the path is not an echo
 * route at all (the caller answers 404).
 */
export function answerUnrouted(catalog: RouteCatalog, req: FastifyRequest, reply: FastifyReply): boolean {
  const path = req.url.split('?')[0]!;
  const allowed = catalog.allowedMethods(path);
  if (allowed === undefined) return false;
  reply.header('allow', allowed.join(', ')).header('access-control-allow-origin', req.headers.origin ?? '*');
  if (req.method === 'OPTIONS') {
    reply
      .header('access-control-allow-methods', 'GET, POST, PUT, DELETE, PATCH, OPTIONS')
      .header('access-control-max-age', '3600');
    const asked = req.headers['access-control-request-headers'];
    if (asked !== undefined) reply.header('access-control-allow-headers', asked);
    reply.code(200).type('text/html; charset=utf-8').send('');
    return true;
  }
  const { statusCode, body } = httpErrorOf(new MethodNotAllowedError(path, allowed, req.method));
  reply.code(statusCode).send(body);
  return true;
}
