/**
 * The long-running mode (`rabbit-pipeline serve`, the container's entry): runs the role
 * named by ROLE (default all), the tally's HTTP port when tally runs here, health and
 * metrics on the side port. Readiness is 'down' while the broker is unreachable.
 */
import type { OptionValues, RunningService, ServiceContext } from '@fopnp/net';
import { Counter, Gauge } from 'prom-client';
import type { manifest } from './manifest.js';
import { openPipeline, type Pipeline } from './pipeline.js';
import { registerQueueMetrics } from './queue-metrics.js';
import { rolesOf, startRoleSet } from './roles.js';
import { Tally } from './tally.js';

type Options = typeof manifest.options;
export type ServiceConfig = OptionValues<Options>;

export interface StartedService extends RunningService {
  pipeline: Pipeline;
  tally?: Tally;
  /** Bound tally HTTP port, when tally runs in this process. */
  port?: number;
}

function registerMetrics(ctx: ServiceContext<Options>, p: Pipeline, tally: Tally | undefined): void {
  const registers = [ctx.metrics];
  const published = new Counter({
    name: 'rabbit_pipeline_published_total',
    help: 'messages confirmed by the broker',
    registers,
  });
  const republished = new Counter({
    name: 'rabbit_pipeline_republished_total',
    help: 'unconfirmed messages sent again after a reconnect',
    registers,
  });
  const consumed = new Counter({
    name: 'rabbit_pipeline_consumed_total',
    help: 'messages settled by a consumer, by queue and outcome (ack, retry, dead-letter)',
    labelNames: ['queue', 'outcome'],
    registers,
  });
  const oversize = new Counter({
    name: 'rabbit_pipeline_oversize_refused_total',
    help: 'deliveries over MAX_MESSAGE_BYTES refused before their body was read (then dead-lettered), by queue',
    labelNames: ['queue'],
    registers,
  });
  const reconnects = new Counter({
    name: 'rabbit_pipeline_reconnects_total',
    help: 'connections to RabbitMQ made after the first',
    registers,
  });
  new Gauge({
    name: 'rabbit_pipeline_in_flight',
    help: 'published messages awaiting a confirm',
    registers,
    collect() {
      this.set(p.publisher.inFlight);
    },
  });
  new Gauge({
    name: 'rabbit_pipeline_connected',
    help: '1 while connected to RabbitMQ',
    registers,
    collect() {
      this.set(p.broker.state === 'connected' ? 1 : 0);
    },
  });
  registerQueueMetrics(registers, {
    broker: p.broker,
    queues: () => [...p.consumers.keys(), p.names.deadLetters],
    unacked: (queue) => [...(p.consumers.get(queue) ?? [])].reduce((n, c) => n + c.unacked, 0),
  });
  p.publisher.on('confirm', () => published.inc());
  p.publisher.on('republish', (n: number) => republished.inc(n));
  p.events.on('outcome', (queue: string, outcome: string) => consumed.inc({ queue, outcome }));
  p.events.on('oversize', (queue: string) => oversize.inc({ queue }));
  p.broker.on('connected', () => {
    if (p.broker.reconnects > 0) reconnects.inc();
  });
  if (tally) {
    new Gauge({
      name: 'rabbit_pipeline_pi_estimate',
      help: "tally's current estimate of pi",
      registers,
      collect() {
        this.set(tally.estimate ?? 0);
      },
    });
    new Gauge({
      name: 'rabbit_pipeline_tally_points',
      help: 'decisions counted by tally',
      registers,
      collect() {
        this.set(tally.count);
      },
    });
  }
}

export async function startService(ctx: ServiceContext<Options>): Promise<StartedService> {
  const { config, logger } = ctx;
  const roles = rolesOf(config.role);
  const pipeline = await openPipeline({
    amqpUrl: config.amqpUrl,
    prefix: config.prefix,
    prefetch: config.prefetch,
    maxInFlight: config.maxInFlight,
    maxRetries: config.maxRetries,
    maxMessageBytes: config.maxMessageBytes,
    quorum: config.quorum,
    rpcTimeoutMs: config.rpcTimeoutMs,
    latencyMs: config.latencyMs,
    failRate: config.failRate,
    logger,
  });
  // Metrics first: the roles publish from the moment they start.
  const tally = roles.includes('tally') ? new Tally() : undefined;
  registerMetrics(ctx, pipeline, tally);
  ctx.health.addCheck('rabbitmq', () =>
    pipeline.broker.state === 'connected'
      ? 'ok'
      : { status: 'down', detail: `broker ${pipeline.broker.state}` },
  );
  const every = config.printEvery;
  const running = await startRoleSet(pipeline, roles, {
    ...config,
    ...(tally ? { tally } : {}),
    onDecision(t) {
      if (every > 0 && t.count % every === 0) logger.info(t.snapshot(), 'estimate');
    },
    onTallyListening: (port) => logger.info({ port, path: '/estimate' }, 'tally listening'),
    limitHttp: (server) => ctx.limitHttp(server, 'tally'),
  });
  const { port } = running;
  running.bitsource?.then(
    (n) => logger.info({ points: n }, 'bitsource finished'),
    (err: Error) => logger.error({ err: err.message }, 'bitsource stopped'),
  );

  return {
    pipeline,
    ...(tally ? { tally } : {}),
    ...(port !== undefined ? { port } : {}),
    async close() {
      await running.close();
      await pipeline.close();
    },
  };
}
