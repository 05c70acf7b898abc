/**
 * The long-running mode (`zen-asyncio serve`): the Zen port plus health and metrics, in
 * whichever conversation mode ZEN_MODE selects.
 */
import type { RunningService, ServiceContext } from '@fopnp/net';
import { startClusterPrimary } from './cluster.js';
import type { manifest } from './manifest.js';
import { registerZenMetrics } from './metrics.js';
import { createZenServer } from './server.js';
import { startThreads } from './threads.js';

type Ctx = ServiceContext<(typeof manifest)['options']>;

export async function startService(ctx: Ctx): Promise<RunningService> {
  const { config, logger } = ctx;
  const limits = {
    maxQuestionBytes: config.maxQuestionBytes,
    idleTimeoutMs: config.idleTimeoutMs,
    questionTimeoutMs: config.questionTimeoutMs,
    maxConnections: config.maxConnections,
  };
  if (config.mode === 'cluster') {
    const running = await startClusterPrimary({
      host: config.host,
      port: config.port,
      workers: config.workers,
      logger,
    });
    registerZenMetrics(ctx.metrics, running.stats);
    ctx.health.addCheck('workers', () => {
      const live = running.liveWorkers();
      if (live === running.workers) return 'ok';
      return live > 0
        ? { status: 'degraded', detail: `${live} of ${running.workers} workers alive` }
        : 'down';
    });
    logger.info(
      { host: config.host, port: running.port, mode: 'cluster', workers: running.workers },
      'zen listening',
    );
    return { close: () => running.close() };
  }
  if (config.mode === 'threads') {
    const running = await startThreads({
      host: config.host,
      port: config.port,
      threads: config.workers,
      limits,
      logger,
    });
    registerZenMetrics(ctx.metrics, running.stats);
    logger.info(
      { host: config.host, port: running.port, mode: 'threads', threads: running.threads },
      'zen listening',
    );
    return { close: () => running.close() };
  }
  const server = createZenServer({ mode: config.mode, ...limits, logger });
  const address = await server.listen(config.port, config.host);
  registerZenMetrics(ctx.metrics, () => server.stats);
  ctx.health.addCheck('listening', () => (server.server.listening ? 'ok' : 'down'));
  logger.info({ host: address.address, port: address.port, mode: config.mode, ...limits }, 'zen listening');
  return { close: () => server.close() };
}
