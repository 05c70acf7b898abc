/**
 * queuepi.py's five roles over RabbitMQ. Each role is a function that starts its
 * consumers on a shared `Pipeline` (one connection, one publisher) and returns a handle
 * to close it, so a process may run one role (`rabbit-pipeline judge`) or all of them.
 */
import { EventEmitter } from 'node:events';
import { type Logger, silentLogger } from '@fopnp/net';
import type { Broker } from './connection.js';
import { ReliableConsumer } from './consumer.js';
import { connectDeclared } from './declared.js';
import {
  coordinates,
  encodeSumRequest,
  isInside,
  onesAndZeros,
  parseDecision,
  parsePoint,
  parseSumReply,
  parseSumRequest,
  routingKeyOf,
  sumOfSquares,
} from './protocol.js';
import type { ReliablePublisher } from './publisher.js';
import { createRpcServer, RpcClient } from './rpc.js';
import { Tally } from './tally.js';
import { TallyCheckpoints } from './tally-state.js';
import { type PipelineNames, pipelineNames, pipelineTopology } from './topology.js';

export interface PipelineOptions {
  amqpUrl: string;
  /** Namespace of every exchange and queue (AMQP_PREFIX). */
  prefix: string;
  /** @default 64 */
  prefetch?: number;
  /** @default 512 */
  maxInFlight?: number;
  /** @default 3 */
  maxRetries?: number;
  /** Largest message body a role reads; bigger ones are refused unread and dead-lettered. @default 65536 */
  maxMessageBytes?: number;
  /** Declare the work queues as quorum queues. @default false */
  quorum?: boolean;
  /** @default 5000 */
  rpcTimeoutMs?: number;
  /** Knob: added to every delivery a role handles. @default 0 */
  latencyMs?: number;
  /** Knob: probability that handling a delivery fails. @default 0 */
  failRate?: number;
  logger?: Logger;
}

export interface Pipeline {
  broker: Broker;
  /**
   * 'outcome' (queue, outcome) for every message a role's consumer settles; 'oversize'
   * (queue, size) for each delivery refused unread.
   */
  events: EventEmitter;
  publisher: ReliablePublisher;
  names: PipelineNames;
  options: PipelineOptions;
  logger: Logger;
  /** The consumers the roles started, by queue (queue metrics read their unacked counts). */
  consumers: Map<string, Set<ReliableConsumer>>;
  close(): Promise<void>;
}

export interface RoleHandle {
  /** Messages this role's consumer settled, so far. */
  readonly stats: { acked: number; retried: number; deadLettered: number };
  close(): Promise<void>;
}

/** Connects, declares the topology (again on every reconnect) and opens the publisher. */
export async function openPipeline(options: PipelineOptions): Promise<Pipeline> {
  const logger = options.logger ?? silentLogger();
  const names = pipelineNames(options.prefix);
  const topology = pipelineTopology(options.prefix);
  const { broker, publisher } = await connectDeclared({
    url: options.amqpUrl,
    topology,
    declare: { quorum: options.quorum ?? false, deadLetterExchange: names.deadLetterExchange },
    maxInFlight: options.maxInFlight ?? 512,
    logger,
  });
  return {
    broker,
    events: new EventEmitter(),
    publisher,
    names,
    options,
    logger,
    consumers: new Map(),
    async close() {
      await publisher.close();
      await broker.close();
    },
  };
}

/** Starts a role's consumer and forwards its outcomes to `p.events` (metrics). */
async function startConsumer(p: Pipeline, consumer: ReliableConsumer, queue: string) {
  consumer.on('outcome', (outcome: string) => p.events.emit('outcome', queue, outcome));
  consumer.on('oversize', (size: number) => p.events.emit('oversize', queue, size));
  if (!p.consumers.has(queue)) p.consumers.set(queue, new Set());
  p.consumers.get(queue)!.add(consumer);
  return consumer.start();
}

/** The knobs as the consumers take them. */
function faultsOf(p: Pipeline) {
  return { latencyMs: p.options.latencyMs ?? 0, failRate: p.options.failRate ?? 0 };
}

function consumerOptions(p: Pipeline) {
  return {
    faults: faultsOf(p),
    publisher: p.publisher,
    prefetch: p.options.prefetch ?? 64,
    maxRetries: p.options.maxRetries ?? 3,
    ...(p.options.maxMessageBytes ? { maxMessageBytes: p.options.maxMessageBytes } : {}),
    deadLetterExchange: p.names.deadLetterExchange,
    logger: p.logger,
  };
}

export interface BitsourceOptions {
  /** Points to publish; 0 = until stopped. */
  points: number;
  /** Points per second; 0 = as fast as the confirm window allows. */
  rate: number;
  signal?: AbortSignal;
}

/** Publishes random points to the topic exchange; resolves once all are confirmed. */
export async function runBitsource(p: Pipeline, opts: BitsourceOptions): Promise<number> {
  const start = performance.now();
  let sent = 0;
  let failed: Error | undefined;
  while ((opts.points === 0 || sent < opts.points) && !opts.signal?.aborted && !failed) {
    if (opts.rate > 0) {
      const due = start + (sent * 1_000) / opts.rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    if (!p.publisher.hasRoom) await p.publisher.waitForRoom();
    const bits = onesAndZeros();
    sent++;
    p.publisher
      .publish(p.names.points, routingKeyOf(bits), Buffer.from(bits), { messageId: String(sent) })
      .catch((err: Error) => {
        failed = err;
      });
  }
  await p.publisher.flush();
  if (failed) throw failed;
  return sent;
}

/** The book's always_yes: every point in the lower-left quadrant is inside. */
export async function startAlwaysYes(p: Pipeline): Promise<RoleHandle> {
  const consumer = new ReliableConsumer(p.broker, {
    ...consumerOptions(p),
    queue: p.names.alwaysYes,
    async handler(msg) {
      parsePoint(msg.content, p.names.alwaysYes);
      await p.publisher.sendToQueue(p.names.decisions, Buffer.from('Y'), {
        messageId: msg.properties.messageId,
      });
    },
  });
  return startConsumer(p, consumer, p.names.alwaysYes);
}

/** The book's judge: asks pythagoras for x² + y² and decides. Several may share the queue. */
export async function startJudge(p: Pipeline): Promise<RoleHandle> {
  const rpc = await new RpcClient(p.broker, {
    replyQueuePrefix: p.names.replies,
    timeoutMs: p.options.rpcTimeoutMs ?? 5_000,
    ...(p.options.maxMessageBytes ? { maxMessageBytes: p.options.maxMessageBytes } : {}),
    logger: p.logger,
  }).start();
  const consumer = new ReliableConsumer(p.broker, {
    ...consumerOptions(p),
    queue: p.names.judge,
    async handler(msg) {
      const bits = parsePoint(msg.content, p.names.judge);
      const reply = await rpc.call(p.names.pythagoras, encodeSumRequest(coordinates(bits)));
      const decision = isInside(parseSumReply(reply)) ? 'Y' : 'N';
      await p.publisher.sendToQueue(p.names.decisions, Buffer.from(decision), {
        messageId: msg.properties.messageId,
      });
    },
  });
  await startConsumer(p, consumer, p.names.judge);
  return {
    stats: consumer.stats,
    async close() {
      await consumer.close();
      await rpc.close();
    },
  };
}

/** The book's pythagoras: replies with the sum of squares. */
export async function startPythagoras(p: Pipeline): Promise<RoleHandle> {
  const server = createRpcServer(p.broker, {
    queue: p.names.pythagoras,
    prefetch: p.options.prefetch ?? 64,
    ...(p.options.maxMessageBytes ? { maxMessageBytes: p.options.maxMessageBytes } : {}),
    faults: faultsOf(p),
    logger: p.logger,
    handler: (body) =>
      Buffer.from(JSON.stringify({ sum: String(sumOfSquares(parseSumRequest(body, p.names.pythagoras))) })),
    errorReply: (err) => Buffer.from(JSON.stringify({ error: err.message })),
  });
  return startConsumer(p, server, p.names.pythagoras);
}

export interface TallyOptions {
  /** Where the counts are kept across restarts (TALLY_STATE_FILE). */
  stateFile: string;
  /** Checkpoint once this many decisions wait (capped at the prefetch window). @default half the prefetch */
  checkpointEvery?: number;
  /** …or once the oldest has waited this long. @default 20 */
  checkpointMs?: number;
  onDecision?: (tally: Tally) => void;
}

/**
 * The book's tally: counts Y/N decisions into an estimate of π. A decision is acked only
 * once a checkpoint of the counts that include it is on disk, so a restarted tally (same
 * state file) has every decision the broker forgot; what it had not acked comes again.
 */
export async function startTally(
  p: Pipeline,
  options: TallyOptions,
  tally = new Tally(),
): Promise<RoleHandle & { tally: Tally; checkpoints: TallyCheckpoints }> {
  const prefetch = p.options.prefetch ?? 64;
  const checkpoints = new TallyCheckpoints(tally, {
    file: options.stateFile,
    prefix: p.options.prefix,
    // More than the prefetch window never waits at once: the count would never be reached.
    everyDecisions: Math.min(options.checkpointEvery || Math.ceil(prefetch / 2), prefetch),
    intervalMs: options.checkpointMs ?? 20,
    logger: p.logger,
  });
  await checkpoints.open();
  const consumer = new ReliableConsumer(p.broker, {
    ...consumerOptions(p),
    queue: p.names.decisions,
    async handler(msg) {
      tally.record(parseDecision(msg.content, p.names.decisions));
      options.onDecision?.(tally);
      await checkpoints.covered();
    },
  });
  await startConsumer(p, consumer, p.names.decisions);
  consumer.on('outcome', (outcome: string) => {
    if (outcome !== 'dead-letter') return;
    tally.malformed++;
    checkpoints.touch();
  });
  return {
    tally,
    checkpoints,
    stats: consumer.stats,
    async close() {
      await consumer.close();
      await checkpoints.close();
    },
  };
}
