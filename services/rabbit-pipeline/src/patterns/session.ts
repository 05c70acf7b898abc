/**
 * One pattern's connection: the same `Broker` (reconnecting, re-declaring the topology on
 * every connect) and `ReliablePublisher` (confirms, bounded window, resend after a
 * reconnect) the pipeline runs on, over the pattern's own topology.
 */
import { type Logger, silentLogger } from '@fopnp/net';
import type { Broker } from '../connection.js';
import { connectDeclared } from '../declared.js';
import type { ReliablePublisher } from '../publisher.js';
import { deleteTopology } from '../topology.js';
import type { PatternTopology } from './topologies.js';

export interface PatternSessionOptions {
  amqpUrl: string;
  /** Declare the work queues as quorum queues (a stream stays a stream). @default false */
  quorum?: boolean;
  /** @default 512 */
  maxInFlight?: number;
  logger?: Logger;
}

export interface PatternSession {
  broker: Broker;
  publisher: ReliablePublisher;
  topology: PatternTopology;
  logger: Logger;
  /** Deletes the pattern's queues and exchanges (their messages are lost). */
  teardown(): Promise<void>;
  close(): Promise<void>;
}

export async function openPatternSession(
  topology: PatternTopology,
  options: PatternSessionOptions,
): Promise<PatternSession> {
  const logger = options.logger ?? silentLogger();
  const declareOptions = {
    quorum: options.quorum ?? false,
    ...(topology.deadLetterExchange ? { deadLetterExchange: topology.deadLetterExchange } : {}),
  };
  const { broker, publisher } = await connectDeclared({
    url: options.amqpUrl,
    topology,
    declare: declareOptions,
    maxInFlight: options.maxInFlight ?? 512,
    logger,
  });
  return {
    broker,
    publisher,
    topology,
    logger,
    async teardown() {
      const ch = await broker.channel();
      await deleteTopology(ch, topology);
      await ch.close();
    },
    async close() {
      await publisher.close();
      await broker.close();
    },
  };
}
