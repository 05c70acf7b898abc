/**
 * Per-queue figures exported by the roles themselves, so a topology lab or Prometheus
 * can watch queues fill and drain without the management plugin:
 *
 * - `rabbit_pipeline_queue_messages{queue}`: messages ready in the queue, as the broker
 *   answers a passive queue.declare (the same figure in every process that exports it);
 * - `rabbit_pipeline_queue_consumers{queue}`: consumers on it, from the same answer;
 * - `rabbit_pipeline_queue_unacked{queue}`: deliveries this process holds and has not
 *   acked yet (AMQP does not tell a client the queue's total: sum it over the processes).
 *
 * The broker is asked at most once a second, however many gauges and scrapes there are,
 * and not at all while disconnected (the gauges are then left empty rather than stale).
 */
import type { Channel } from 'amqplib';
import { Gauge, type Registry } from 'prom-client';
import type { Broker } from './connection.js';

export interface QueueCounts {
  messages: number;
  consumers: number;
}

export interface QueueMetricsSource {
  broker: Broker;
  /** Queues to report on (the ones this process consumes, and the dead-letter queue). */
  queues(): Iterable<string>;
  /** This process's unacked deliveries on a queue. */
  unacked(queue: string): number;
}

/** Asks the broker for each queue's counts on one channel; a missing queue is left out. */
export async function checkQueues(
  broker: Broker,
  queues: Iterable<string>,
): Promise<Map<string, QueueCounts>> {
  const out = new Map<string, QueueCounts>();
  let ch: Channel | undefined;
  try {
    for (const queue of queues) {
      if (!ch) {
        ch = await broker.channel();
        ch.on('error', () => {}); // a 404 closes the channel; the next queue gets a new one
      }
      try {
        const ok = await ch.checkQueue(queue);
        out.set(queue, { messages: ok.messageCount, consumers: ok.consumerCount });
      } catch {
        ch = undefined;
      }
    }
  } finally {
    await ch?.close().catch(() => {});
  }
  return out;
}

export function registerQueueMetrics(
  registers: Registry[],
  source: QueueMetricsSource,
  maxAgeMs = 1_000,
): void {
  let last: { at: number; counts: Promise<Map<string, QueueCounts>> } | undefined;
  const counts = (): Promise<Map<string, QueueCounts>> => {
    if (source.broker.state !== 'connected') return Promise.resolve(new Map());
    if (!last || Date.now() - last.at > maxAgeMs) {
      const asked = checkQueues(source.broker, source.queues());
      // A broker that does not answer must not hang the scrape.
      const bounded = Promise.race([
        asked,
        new Promise<Map<string, QueueCounts>>((r) => setTimeout(() => r(new Map()), 2_000).unref()),
      ]).catch(() => new Map<string, QueueCounts>());
      last = { at: Date.now(), counts: bounded };
    }
    return last.counts;
  };
  const fromBroker = (name: string, help: string, pick: (c: QueueCounts) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['queue'],
      registers,
      async collect() {
        this.reset();
        for (const [queue, c] of await counts()) this.set({ queue }, pick(c));
      },
    });
  fromBroker(
    'rabbit_pipeline_queue_messages',
    'messages ready in the queue (broker figure)',
    (c) => c.messages,
  );
  fromBroker('rabbit_pipeline_queue_consumers', 'consumers on the queue (broker figure)', (c) => c.consumers);
  new Gauge({
    name: 'rabbit_pipeline_queue_unacked',
    help: "deliveries this process holds unacked (sum over processes for the queue's total)",
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset();
      for (const queue of source.queues()) this.set({ queue }, source.unacked(queue));
    },
  });
}
