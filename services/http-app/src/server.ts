/**
 * createHttpAppServer(): one fastify instance, not yet listening, holding the echo
 * endpoints at the root and the bank under /bank. The split is the book's (ch. 10): Node's
 * http module is the server that parses HTTP; fastify is the framework that routes.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { httpErrorOf, InvalidConfigError, type Logger } from '@fopnp/net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { bankRoutes } from './bank/routes.js';
import type { BankStore } from './bank/store.js';
import { HTTP_APP_VERSION } from './client.js';
import { parseQuery } from './echo/request-info.js';
import { echoRoutes } from './echo/routes.js';
import { NoRouteError } from './errors.js';
import { RouteCatalog } from './httpbin/catalog.js';
import { allowAnyOrigin, answerUnrouted } from './httpbin/cors.js';
import { frontPageRoutes } from './httpbin/front-page.js';
import { lazyChildLogger } from './request-logger.js';
import { timeappRoutes } from './timeapp/routes.js';

export interface HttpAppServerOptions {
  store: BankStore;
  /** Signs the session cookie. @default random per process */
  sessionSecret?: string;
  /** Believe X-Forwarded-For / X-Forwarded-Proto. @default false */
  trustProxy?: boolean;
  /** Largest request body, bytes; larger gets 413. @default 1 MiB */
  bodyLimit?: number;
  /** Login attempts per IP per minute. @default 10 */
  loginRateLimit?: number;
  /** Cap on /delay and /drip, seconds. @default 10 */
  maxDelaySeconds?: number;
  /** Hosts /redirect-to may send clients to besides this server; '*' allows any. @default [] */
  redirectToHosts?: readonly string[];
  logger?: Logger;
  /** Serve HTTPS directly (PEM certificate chain and key); cookies are then always Secure. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export async function createHttpAppServer(opts: HttpAppServerOptions): Promise<FastifyInstance> {
  const secret = opts.sessionSecret ?? randomBytes(32).toString('hex');
  if (secret.length < 32) {
    throw new InvalidConfigError(
      'SESSION_SECRET',
      'must be at least 32 characters (try `openssl rand -hex 32`)',
    );
  }
  const bodyLimit = opts.bodyLimit ?? 1_048_576;
  const app = Fastify({
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    // Without a logger fastify's no-op logger skips the pino child it makes for every request.
    ...(opts.logger
      ? { loggerInstance: opts.logger as FastifyBaseLogger, childLoggerFactory: lazyChildLogger }
      : { logger: false }),
    // Per-request lines would swamp the log at the rates the echo endpoints see.
    logController: new LogController({ disableRequestLogging: true }),
    // The echo endpoints' own parser, so /get's args are parsed once, and the same way as httpbin.
    routerOptions: { querystringParser: parseQuery },
    trustProxy: opts.trustProxy ?? false,
    bodyLimit,
    // Slow clients must not hold sockets forever (book ch. 7's lesson).
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
  }) as unknown as FastifyInstance; // the HTTPS variant has another server type, same API
  const catalog = new RouteCatalog();
  // Before the routes: a plugin keeps the error handler in force when it was registered
  // (the bank's pages set their own, HTML, one).
  app.setNotFoundHandler((request, reply) => {
    if (answerUnrouted(catalog, request, reply)) return;
    const { statusCode, body } = httpErrorOf(
      new NoRouteError(request.method, request.url.split('?')[0] ?? '/'),
    );
    reply.code(statusCode).send(body);
  });
  app.setErrorHandler((error, request, reply) => {
    const { statusCode, body } = httpErrorOf(error);
    // Echo answers carry httpbin's CORS header, those made before a handler ran too.
    allowAnyOrigin(request, reply);
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    reply.code(statusCode).send(body);
  });
  await app.register(echoRoutes, {
    maxDelaySeconds: opts.maxDelaySeconds ?? 10,
    bodyLimit,
    catalog,
    redirectToHosts: opts.redirectToHosts ?? [],
    // Derived, so the session secret itself never signs anything a client can see whole.
    nonceSecret: createHmac('sha256', secret).update('digest-auth nonces').digest(),
  });
  await app.register(timeappRoutes, { catalog });
  await app.register(frontPageRoutes, { catalog, version: HTTP_APP_VERSION });
  await app.register(bankRoutes, {
    prefix: '/bank',
    store: opts.store,
    sessionSecret: secret,
    loginRateLimit: opts.loginRateLimit ?? 10,
  });
  return app;
}
