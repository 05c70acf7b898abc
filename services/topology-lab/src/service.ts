/**
 * The long-running mode (`topology-lab serve`): the page and its API on PORT, health and
 * metrics on the side port. The lab stays up and ready whatever its sources do: a
 * backing service that is down is shown down (readiness reports it 'degraded').
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  InvalidConfigError,
  listen,
  type OptionValues,
  type RunningService,
  type ServiceContext,
} from '@fopnp/net';
import { Counter, Gauge, Histogram } from 'prom-client';
import { LocalStackDriver } from './actions/local-stack.js';
import { DECLARED } from './declared.js';
import { Lab } from './lab.js';
import type { manifest } from './manifest.js';
import { createLabServer } from './server.js';
import { Sharding } from './sharding.js';
import { CacheClient } from './sources/cache.js';
import { RabbitSource } from './sources/rabbitmq.js';
import { RedisSource } from './sources/redis.js';
import { ServicesSource } from './sources/services.js';

type Options = typeof manifest.options;
export type LabConfig = OptionValues<Options>;

/** dist/web beside the package, from src/ (tests) or dist/src/ (the built CLI). */
export function defaultWebDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = here.endsWith(join('dist', 'src')) ? resolve(here, '..', '..') : resolve(here, '..');
  return join(root, 'dist', 'web');
}

export async function startService(
  ctx: ServiceContext<Options>,
): Promise<RunningService & { port: number; lab: Lab }> {
  const c = ctx.config;
  if (c.actionToken !== undefined && c.actionToken.length < 16)
    throw new InvalidConfigError('LAB_TOKEN', 'use a token of at least 16 characters');
  if (c.controlUrl && !c.controlToken)
    throw new InvalidConfigError(
      'STACK_CONTROL_TOKEN',
      'STACK_CONTROL_URL is set; give its bearer token too',
    );
  const registers = [ctx.metrics];
  const polls = new Histogram({
    name: 'topology_lab_poll_seconds',
    help: 'time one poll of RabbitMQ, Redis, the services and tally took',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const actions = new Counter({
    name: 'topology_lab_actions_total',
    help: 'actions run from the page, by action and outcome',
    labelNames: ['action', 'outcome'],
    registers,
  });
  const ui = new URL(c.managementUrl);
  const redis = new RedisSource([...new Set([...c.redisUrls, ...c.shardUrls])], ctx.logger);
  const lab = new Lab({
    rabbit: new RabbitSource(c.managementUrl, c.amqpUrl, c.amqpPrefix, ctx.logger),
    redis,
    sharding: new Sharding(c.shardUrls, c.namespace, redis, ctx.logger),
    cache: c.cacheUrl ? new CacheClient(c.cacheUrl) : undefined,
    services: new ServicesSource(DECLARED, { servicesHost: c.servicesHost }),
    tallyUrl: c.tallyUrl,
    managementUiPort: Number(ui.port || 80),
    readOnly: c.readOnly,
    driver:
      c.controlUrl && !c.readOnly ? new LocalStackDriver(c.controlUrl, c.controlToken ?? '') : undefined,
    pollMs: c.pollMs,
    logger: ctx.logger,
    onPoll: (ms) => polls.observe(ms / 1000),
  });
  new Gauge({
    name: 'topology_lab_pages',
    help: 'pages connected to the event stream',
    registers,
    collect() {
      this.set(lab.clients);
    },
  });
  ctx.health.addCheck('rabbitmq', () => (lab.latest?.rabbitmq.health === 'down' ? 'degraded' : 'ok'));
  const server = createLabServer({
    lab,
    webDir: defaultWebDir(),
    actionToken: c.actionToken,
    logger: ctx.logger,
    onAction: (id, ok) => actions.inc({ action: id, outcome: ok ? 'ok' : 'failed' }),
  });
  lab.start();
  ctx.limitHttp(server);
  const port = await listen(server, c.port, c.host, 'topology-lab HTTP port');
  ctx.logger.info({ port, host: c.host }, 'topology lab listening');
  return {
    port,
    lab,
    async close() {
      await lab.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
