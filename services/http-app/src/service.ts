/**
 * `http-app serve`: the HTTP server on PORT, health and metrics on HEALTH_PORT, the bank in
 * SQLite or (DATABASE_URL) PostgreSQL. Readiness is down while the database cannot answer.
 */

import { readFile } from 'node:fs/promises';
import type { OptionValues, RunningService, ServiceContext } from '@fopnp/net';
import { classifyError, InvalidConfigError } from '@fopnp/net';
import { openBank } from './bank/open.js';
import type { manifest } from './manifest.js';
import { RequestMetrics } from './metrics.js';
import { createHttpAppServer } from './server.js';

type Config = OptionValues<typeof manifest.options>;

export async function startService(ctx: ServiceContext<typeof manifest.options>): Promise<RunningService> {
  const config: Config = ctx.config;
  if (Boolean(config.tlsCertFile) !== Boolean(config.tlsKeyFile)) {
    throw new InvalidConfigError('TLS_CERT_FILE', 'set both TLS_CERT_FILE and TLS_KEY_FILE, or neither');
  }
  const tls = config.tlsCertFile
    ? {
        cert: await readPem(config.tlsCertFile, 'TLS_CERT_FILE'),
        key: await readPem(config.tlsKeyFile!, 'TLS_KEY_FILE'),
      }
    : undefined;
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
  const app = await createHttpAppServer({
    store,
    sessionSecret: config.sessionSecret,
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    loginRateLimit: config.loginRateLimit,
    maxDelaySeconds: config.maxDelaySeconds,
    redirectToHosts: config.redirectToHosts,
    logger: ctx.logger,
    tls,
  }).catch(async (err) => {
    await store.close();
    throw err;
  });
  const metrics = new RequestMetrics(ctx.metrics);
  ctx.limitHttp(app.server);
  app.server.on('connection', metrics.connection);
  app.addHook('onResponse', metrics.onResponse);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await store.close();
    throw classifyError(err, `${config.host}:${config.port}`);
  }
  ctx.logger.info({ port: config.port, host: config.host, tls: Boolean(tls) }, 'http-app listening');
  return {
    async close() {
      await app.close();
      await store.close();
    },
  };
}

async function readPem(path: string, option: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new InvalidConfigError(
      option,
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
}
