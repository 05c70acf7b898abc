/**
 * Acks are coalesced into `multiple` acks when deliveries finish in order, yet every
 * message is really acked, and a slow handler does not hold back the acks of the
 * messages that finished after it.
 */
import type { ChannelModel } from 'amqplib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Broker } from '../src/connection.js';
import { ReliableConsumer } from '../src/consumer.js';
import { ReliablePublisher } from '../src/publisher.js';
import { AMQP_URL, deleteAllUnder, uniquePrefix, waitUntil } from './helpers.js';

const prefix = uniquePrefix('acks');
const fast = `${prefix}.fast`;
const slow = `${prefix}.slow`;
let broker: Broker;
let publisher: ReliablePublisher;

beforeAll(async () => {
  broker = await Broker.connect({
    url: AMQP_URL,
    async declare(model: ChannelModel) {
      const ch = await model.createChannel();
      for (const q of [fast, slow]) await ch.assertQueue(q, { durable: true });
      await ch.close();
    },
  });
  publisher = await new ReliablePublisher(broker).start();
});

afterAll(async () => {
  await publisher?.close();
  await broker?.close();
  await deleteAllUnder(prefix);
});

it('acks 2,000 in-order deliveries with far fewer frames, and every one is acked', async () => {
  await Promise.all(
    Array.from({ length: 2_000 }, (_, i) => publisher.sendToQueue(fast, Buffer.from(String(i)))),
  );
  let handled = 0;
  const consumer = await new ReliableConsumer(broker, {
    queue: fast,
    prefetch: 200,
    handler: () => void handled++,
  }).start();
  await waitUntil(() => consumer.ackStats.messages === 2_000, 15_000, '2,000 acks');
  await consumer.close();
  expect(handled).toBe(2_000);
  expect(consumer.ackStats.frames).toBeLessThan(1_000);
  const ch = await broker.channel();
  expect((await ch.checkQueue(fast)).messageCount).toBe(0); // nothing came back on close
  await ch.close();
});

it('acks the messages that finished behind a slow one without waiting for it', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const consumer = await new ReliableConsumer(broker, {
    queue: slow,
    // With room for only two deliveries, a withheld ack would stop the flow at once.
    prefetch: 2,
    async handler(msg) {
      if (msg.content.toString() === 'slow') await gate;
    },
  }).start();
  await publisher.sendToQueue(slow, Buffer.from('slow'));
  await Promise.all(
    Array.from({ length: 20 }, (_, i) => publisher.sendToQueue(slow, Buffer.from(String(i)))),
  );
  await waitUntil(() => consumer.stats.acked === 20, 10_000, 'the 20 quick messages past the slow one');
  release();
  await waitUntil(() => consumer.stats.acked === 21, 10_000, 'the slow message');
  await consumer.close();
  const ch = await broker.channel();
  expect((await ch.checkQueue(slow)).messageCount).toBe(0);
  await ch.close();
});
