/**
 * No loss: 10,000 numbered, confirmed messages; the consumer process is SIGKILLed
 * mid-stream and another takes over. Every id must be processed at least once; the
 * duplicates (deliveries the dead consumer had printed but not yet acked) are counted,
 * reported and bounded by its prefetch window.
 */
import { type BackgroundProcess, stopAll } from '@fopnp/net/testing';
import amqp from 'amqplib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Broker } from '../src/connection.js';
import { ReliablePublisher } from '../src/publisher.js';
import { AMQP_URL, deleteAllUnder, publishNumbered, startCli, uniquePrefix, waitUntil } from './helpers.js';

const prefix = uniquePrefix('noloss');
const queue = `${prefix}.numbers`;
const TOTAL = 10_000;
const PREFETCH = 50;

beforeAll(async () => {
  const conn = await amqp.connect(AMQP_URL);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: true });
  await conn.close();
});

afterAll(async () => {
  await stopAll();
  await deleteAllUnder(prefix);
});

function consumer(): BackgroundProcess {
  return startCli(['consume', queue, '--prefix', prefix, '--prefetch', String(PREFETCH)]);
}

/** Complete lines (a killed process may leave none half-written: stdout is a pipe). */
function ids(p: BackgroundProcess): number[] {
  return p
    .output()
    .split('\n')
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

it('processes every confirmed message at least once although a consumer is SIGKILLed mid-stream', async () => {
  const first = consumer();
  const broker = await Broker.connect({ url: AMQP_URL });
  const publisher = await new ReliablePublisher(broker, { maxInFlight: 500 }).start();
  const publishing = publishNumbered(publisher, queue, TOTAL, String);

  await waitUntil(() => ids(first).length >= 2_000, 30_000, 'the first consumer to print 2,000 ids');
  first.child.kill('SIGKILL');
  await first.stop();
  const killedAfter = ids(first).length;
  const second = consumer();

  await publishing.done;
  expect(publishing.confirmed()).toBe(TOTAL);
  await waitUntil(
    () => new Set([...ids(first), ...ids(second)]).size === TOTAL,
    40_000,
    'every id to be printed by one consumer or the other',
  );
  await second.stop();

  const all = [...ids(first), ...ids(second)];
  const unique = new Set(all);
  const duplicates = all.length - unique.size;
  console.log(
    `no-loss: ${TOTAL} confirmed, first consumer killed after ${killedAfter} ids, ` +
      `second processed ${ids(second).length}; ${unique.size} unique ids, ${duplicates} duplicates`,
  );
  expect(unique.size).toBe(TOTAL);
  expect(Math.min(...unique)).toBe(0);
  expect(Math.max(...unique)).toBe(TOTAL - 1);
  expect(killedAfter).toBeLessThan(TOTAL);
  // Only deliveries the killed consumer held unacked can come twice.
  expect(duplicates).toBeLessThanOrEqual(PREFETCH);

  const ch = await broker.channel();
  expect((await ch.checkQueue(queue)).messageCount).toBe(0);
  await ch.close();
  await publisher.close();
  await broker.close();
});
