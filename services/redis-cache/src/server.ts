/**
 * The cache as an HTTP API (fastify): GET/PUT/DELETE /cache/:key, GET /stats and a demo
 * endpoint whose loader is deliberately slow, so the miss/hit latency difference shows.
 * Every error is the project's one JSON error body, {"error": {"code", "message"}} (the kit's
 * `httpErrorOf`). Not listening until the caller says so.
 */
import { httpErrorOf, type Logger, NetError } from '@fopnp/net';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import type { Cache } from './cache.js';
import {
  BodyTooLargeError,
  InvalidKeyError,
  InvalidTtlError,
  InvalidValueError,
  NoRouteError,
  NotFoundError,
  UnsupportedMediaTypeError,
} from './errors.js';
import { DEFAULT_DEMO_DELAY_MS } from './options.js';
import { MAX_KEY_LENGTH } from './protocol.js';

export interface CacheServerOptions {
  cache: Cache;
  logger?: Logger;
  /** Delay of the /demo/slow/:key loader. @default DEFAULT_DEMO_DELAY_MS (500) */
  demoDelayMs?: number;
}

/** The logger at warn, or at its own level when that is already quieter. */
function quieter(logger: Logger): FastifyBaseLogger {
  const warn = logger.levels.values.warn ?? 40;
  return logger.child({}, { level: logger.levelVal > warn ? logger.level : 'warn' }) as FastifyBaseLogger;
}

function sendError(reply: FastifyReply, err: unknown) {
  const { statusCode, body } = httpErrorOf(err);
  return reply.code(statusCode).type('application/json').send(body);
}

export function createCacheServer(opts: CacheServerOptions): FastifyInstance {
  const { cache } = opts;
  const demoDelayMs = opts.demoDelayMs ?? DEFAULT_DEMO_DELAY_MS;
  const app = Fastify({
    // Only warnings and errors from fastify: a log line per request would cost more than the
    // cache lookup it describes. The service logs its own "listening" line.
    ...(opts.logger ? { loggerInstance: quieter(opts.logger) } : {}),
    // Room for the largest value plus JSON whitespace; larger bodies get 413 before parsing.
    bodyLimit: cache.options.maxValueBytes + 64 * 1024,
    // Keys are validated by the cache (MAX_KEY_LENGTH bytes); let longer ones reach it.
    routerOptions: { maxParamLength: MAX_KEY_LENGTH * 4 },
    // Errors fastify raises before routing (a key with broken %-encoding) bypass
    // setErrorHandler: give them the same body as every other error.
    frameworkErrors: (err, request, reply) =>
      sendError(
        reply as FastifyReply,
        err.code === 'FST_ERR_BAD_URL'
          ? new InvalidKeyError(`${request.url.split('?')[0]} is not valid percent-encoding`)
          : err,
      ),
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    // Our own errors are answers; anything else at 5xx is a bug worth a log line.
    if (!(err instanceof NetError) && (err.statusCode ?? 500) >= 500)
      request.log.error({ err }, 'request failed');
    // fastify's body parsing errors, in the cache's own words and codes.
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendError(reply, new BodyTooLargeError(app.initialConfig.bodyLimit ?? 0));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return sendError(reply, new UnsupportedMediaTypeError(request.headers['content-type']));
    if (err.code?.startsWith('FST_ERR_CTP_')) return sendError(reply, new InvalidValueError(err.message));
    return sendError(reply, err);
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new NoRouteError(request.method, request.url.split('?')[0] ?? '/')),
  );

  const emptyKey = () => {
    throw new InvalidKeyError('the key is empty (use /cache/<key>)');
  };
  app.route({ method: ['GET', 'PUT', 'DELETE'], url: '/cache/', handler: emptyKey });
  app.get('/where/', emptyKey);

  app.get<{ Params: { key: string } }>('/cache/:key', async (request, reply) => {
    const { key } = request.params;
    const found = await cache.get(key);
    // Which shard / node answered, on hits and misses alike (the same id as the metrics' label).
    reply.header('x-cache-shard', found.shard);
    if (found.status !== 'hit') throw new NotFoundError(key);
    return reply.header('x-cache', 'hit').type('application/json').send(JSON.stringify(found.value));
  });

  app.put<{ Params: { key: string }; Querystring: { ttlMs?: string } }>(
    '/cache/:key',
    async (request, reply) => {
      const type = request.headers['content-type'];
      if (!type || !/^application\/json\b/i.test(type)) throw new UnsupportedMediaTypeError(type);
      const ttlText = request.query.ttlMs;
      let ttlMs: number | undefined;
      if (ttlText !== undefined) {
        ttlMs = Number(ttlText);
        // Safe integers only: Redis answers a larger PX with "value is not an integer or out
        // of range", which the cache would take for an outage (503, "redis unreachable" log).
        if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw new InvalidTtlError(ttlText);
      }
      const stored = await cache.set(request.params.key, request.body, ttlMs ? { ttlMs } : {});
      return reply.code(201).send({ key: request.params.key, ...stored });
    },
  );

  app.delete<{ Params: { key: string } }>('/cache/:key', async (request) => {
    return { key: request.params.key, deleted: await cache.delete(request.params.key) };
  });

  app.get<{ Params: { key: string } }>('/where/:key', async (request, reply) => {
    const { key } = request.params;
    const where = await cache.locate(key);
    reply.header('x-cache-shard', where.shard);
    return { key, redisKey: cache.keys.data(key), ...where };
  });

  app.get('/stats', async () => {
    const health = await cache.probe();
    return {
      topology: cache.topology.kind,
      description: cache.topology.description,
      namespace: cache.keys.namespace,
      status: health.status,
      down: health.down,
      ...cache.stats(),
      shards: await cache.shardKeyCounts(),
      perShard: cache.perShard.snapshot(),
    };
  });

  app.get<{ Params: { key: string } }>('/demo/slow/:key', async (request) => {
    const { key } = request.params;
    const started = performance.now();
    const result = await cache.getOrLoadDetailed(`demo:${key}`, async () => {
      await new Promise((r) => setTimeout(r, demoDelayMs));
      return { key, computedAt: new Date().toISOString(), computedBy: process.pid };
    });
    return { ...result, ms: Math.round((performance.now() - started) * 10) / 10 };
  });

  return app;
}
