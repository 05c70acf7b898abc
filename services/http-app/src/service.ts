/**
 * `http-app serve`: the HTTP server on PORT, health and metrics on HEALTH_PORT, the bank in
 * SQLite or (DATABASE_URL) PostgreSQL. Readiness is down while the database cannot answer.
 */
import type { OptionValues, RunningService, ServiceContext } from '@fopnp/net';
import { classifyError } from '@fopnp/net';
import { Counter, Histogram } from 'prom-client';
import { openBank } from './bank/open.js';
import type { manifest } from './manifest.js';
import { createHttpAppServer } from './server.js';

type Config = OptionValues<typeof manifest.options>;

export async function startService(ctx: ServiceContext<typeof manifest.options>): Promise<RunningService> {
  const config: Config = ctx.config;
  const store = await openBank({
    databaseUrl: config.databaseUrl,
    databaseSchema: config.databaseSchema,
    sqlitePath: config.sqlitePath,
    seedDemoUsers: config.seedDemoUsers,
  });
  ctx.logger.info({ store: store.kind }, 'bank database open');
  if (!config.sessionSecret) {
    ctx.logger.warn('SESSION_SECRET is unset: sessions end on restart and replicas cannot share them');
  }
  ctx.health.addCheck('database', async () => {
    await store.ping();
    return 'ok' as const;
  });
  const requests = new Counter({
    name: 'http_app_requests_total',
    help: 'HTTP requests answered, by method and status code',
    labelNames: ['method', 'status'],
    registers: [ctx.metrics],
  });
  const latency = new Histogram({
    name: 'http_app_request_duration_seconds',
    help: 'time from request to response',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [ctx.metrics],
  });
  const app = await createHttpAppServer({
    store,
    sessionSecret: config.sessionSecret,
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    loginRateLimit: config.loginRateLimit,
    maxDelaySeconds: config.maxDelaySeconds,
    logger: ctx.logger,
  }).catch(async (err) => {
    await store.close();
    throw err;
  });
  app.addHook('onResponse', async (request, reply) => {
    requests.inc({ method: request.method, status: String(reply.statusCode) });
    latency.observe(reply.elapsedTime / 1000);
  });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await store.close();
    throw classifyError(err, `${config.host}:${config.port}`);
  }
  ctx.logger.info({ port: config.port, host: config.host }, 'http-app listening');
  return {
    async close() {
      await app.close();
      await store.close();
    },
  };
}
