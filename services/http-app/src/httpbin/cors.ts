/**
 * httpbin's CORS, minus one header. httpbin allows every origin (echoing Origin) *with*
 * credentials; here the bank shares the origin, and /cookies and /headers echo the bank's
 * session cookie, so credentialed cross-site reads stay forbidden: no
 * Access-Control-Allow-Credentials (a deliberate difference, listed in the differential test).
 */
import { httpErrorOf } from '@fopnp/net';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RouteHandlerMethod,
  RouteOptions,
} from 'fastify';
import { MethodNotAllowedError } from '../errors.js';
import type { RouteCatalog } from './catalog.js';

/**
 * The header on every echo answer without a hook per request: an onRoute hook of the echo
 * scope wraps each route's handler once, at registration, so the header is set as the handler
 * starts. (An onRequest hook cost /get a hook run per request; a header set on the raw response
 * would take Node's writeHead off its fast path.) Hijacked (streamed) routes write
 * reply.getHeaders() themselves; answers made before a handler runs (413, a bad body) get the
 * header from the error handler (server.ts).
 */
export function allowAnyOriginOnRoute(route: RouteOptions): void {
  const handler = route.handler as RouteHandlerMethod;
  route.handler = function withCors(this: FastifyInstance, req, reply) {
    reply.header('access-control-allow-origin', req.headers.origin ?? '*');
    return handler.call(this, req, reply);
  };
}

/** The same header on an answer no handler made (errors before the handler, 404s). */
export function allowAnyOrigin(req: FastifyRequest, reply: FastifyReply): void {
  if (!reply.hasHeader('access-control-allow-origin'))
    reply.header('access-control-allow-origin', req.headers.origin ?? '*');
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
  reply.header('allow', allowed.join(', '));
  allowAnyOrigin(req, reply);
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
