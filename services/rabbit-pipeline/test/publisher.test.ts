/**
 * The publisher's window is bounded: never more than maxInFlight messages await their
 * confirm, however many callers publish at once; each publish resolves only when the
 * broker has confirmed it.
 */
import type { ChannelModel } from 'amqplib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Broker } from '../src/connection.js';
import { ClosedError } from '../src/errors.js';
import { ReliablePublisher } from '../src/publisher.js';
import { AMQP_URL, deleteAllUnder, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix('window');
const queue = `${prefix}.q`;
let broker: Broker;

beforeAll(async () => {
  broker = await Broker.connect({
    url: AMQP_URL,
    async declare(model: ChannelModel) {
      const ch = await model.createChannel();
      await ch.assertQueue(queue, { durable: true });
      await ch.close();
    },
  });
});

afterAll(async () => {
  await broker?.close();
  await deleteAllUnder(prefix);
});

it('keeps at most maxInFlight messages unconfirmed while 1,000 publishes race', async () => {
  const publisher = await new ReliablePublisher(broker, { maxInFlight: 16 }).start();
  let highest = 0;
  publisher.on('confirm', () => {
    highest = Math.max(highest, publisher.inFlight + 1);
  });
  const all = Array.from({ length: 1_000 }, (_, i) => {
    const done = publisher.sendToQueue(queue, Buffer.from(String(i)));
    highest = Math.max(highest, publisher.inFlight);
    return done;
  });
  await Promise.all(all);
  expect(highest).toBeLessThanOrEqual(16);
  expect(highest).toBeGreaterThan(1);
  expect(publisher.stats.confirmed).toBe(1_000);
  const ch = await broker.channel();
  expect((await ch.checkQueue(queue)).messageCount).toBe(1_000);
  await ch.close();
  await publisher.close();
  await expect(publisher.publish('', queue, Buffer.from('late'))).rejects.toThrow(ClosedError);
});

it('fails a publish to a missing exchange with FOPNP_RABBIT_PIPELINE_ERR_PUBLISH_FAILED and keeps publishing the rest', async () => {
  const publisher = await new ReliablePublisher(broker).start();
  const lost = publisher.publish(`${prefix}.no-such-exchange`, 'k', Buffer.from('x'));
  await expect(lost).rejects.toMatchObject({
    code: 'FOPNP_RABBIT_PIPELINE_ERR_PUBLISH_FAILED',
    message: expect.stringMatching(/no exchange .*no-such-exchange.*declare it first/),
  });
  // The broker closed that channel; the publisher opened another one by itself.
  await publisher.sendToQueue(queue, Buffer.from('after'));
  expect(publisher.stats.confirmed).toBe(1);
  await publisher.close();
});
