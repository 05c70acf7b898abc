/** `redis-cache serve`: the HTTP cache API with health, readiness and metrics. */

import type { AddressInfo } from 'node:net';
import type { RunningService, ServiceContext } from '@fopnp/net';
import { Cache } from './cache.js';
import { cacheSettings, topologyConfig } from './config.js';
import type { manifest } from './manifest.js';
import { registerCacheMetrics } from './metrics.js';
import { createCacheServer } from './server.js';
import { createTopology } from './topology/index.js';

export async function startService(
  ctx: ServiceContext<(typeof manifest)['options']>,
): Promise<RunningService & { port: number }> {
  const { config, logger, metrics, health } = ctx;
  const topology = createTopology(topologyConfig(config), {
    commandTimeoutMs: config.opTimeoutMs,
    connectionName: 'redis-cache-serve',
  });
  const cache = new Cache({ topology, ...cacheSettings(config, logger) });
  await cache.started();
  const initial = await cache.probe();
  if (initial.status !== 'ok')
    logger.warn(
      { down: initial.down, unreachable: cache.describe(initial.down) },
      'starting with Redis unreachable: the cache fails open',
    );

  // Degraded, not down: with Redis gone the API still answers (loaders run, GETs say 503).
  health.addCheck('redis', async () => {
    const p = await cache.probe();
    return p.status === 'ok'
      ? { status: 'ok', detail: topology.description }
      : { status: 'degraded', detail: `unreachable: ${cache.describe(p.down)}; failing open` };
  });
  registerCacheMetrics(metrics, cache);

  const app = createCacheServer({ cache, logger, demoDelayMs: config.demoDelayMs });
  ctx.limitHttp(app.server);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await cache.close();
    throw err;
  }
  const port = (app.server.address() as AddressInfo).port;
  logger.info({ port, topology: topology.description, namespace: config.namespace }, 'redis-cache listening');
  return {
    port,
    async close() {
      await app.close();
      await cache.close();
    },
  };
}
