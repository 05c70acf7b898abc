/**
 * The broker restarts (`rabbitmqctl stop_app` / `start_app`) while we publish and
 * consume: the publisher and the consumer reconnect with backoff, re-declare their
 * queue, the publisher sends its unconfirmed messages again, and every message that was
 * confirmed is consumed afterwards. Other developers share this broker: the outage is
 * kept to one short restart, and `finally` always starts the app again and waits for it.
 */
import { run, waitForPort } from '@fopnp/net/testing';
import type { ChannelModel } from 'amqplib';
import { afterAll, expect, it } from 'vitest';
import { Broker } from '../src/connection.js';
import { ReliableConsumer } from '../src/consumer.js';
import { ReliablePublisher } from '../src/publisher.js';
import { AMQP_URL, deleteAllUnder, uniquePrefix, waitUntil } from './helpers.js';

const prefix = uniquePrefix('restart');
const queue = `${prefix}.work`;
const TOTAL = 3_000;

async function rabbitmqctl(...args: string[]) {
  const r = await run('rabbitmqctl', ['-q', ...args], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`rabbitmqctl ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
}

/**
 * stop_app then start_app, under a lock so two runs of this suite never interleave their
 * restarts; start_app runs whatever stop_app did, and the finally waits for the port.
 */
async function restartBroker(): Promise<number> {
  const started = Date.now();
  try {
    const r = await run(
      'flock',
      [
        '-w',
        '120',
        '/tmp/fopnp-rabbitmq-restart.lock',
        'sh',
        '-c',
        'rabbitmqctl -q stop_app; rc=$?; rabbitmqctl -q start_app || exit 1; exit $rc',
      ],
      { timeoutMs: 150_000 },
    );
    if (r.code !== 0) throw new Error(`broker restart failed (${r.code}): ${r.stderr || r.stdout}`);
  } finally {
    // Never leave the shared broker down, whatever happened above.
    await rabbitmqctl('start_app');
    await waitForPort(5672, '127.0.0.1', 60_000);
  }
  return Date.now() - started;
}

afterAll(async () => {
  await deleteAllUnder(prefix);
});

it('consumes every confirmed message after a broker restart in the middle of publishing', async () => {
  const declare = async (model: ChannelModel) => {
    const ch = await model.createChannel();
    await ch.assertQueue(queue, { durable: true });
    await ch.close();
  };
  const broker = await Broker.connect({ url: AMQP_URL, declare, initialDelayMs: 100, maxDelayMs: 1_000 });
  const publisher = await new ReliablePublisher(broker, { maxInFlight: 200 }).start();
  const consumed = new Set<number>();
  const consumer = await new ReliableConsumer(broker, {
    queue,
    prefetch: 50,
    handler: (msg) => void consumed.add(Number(msg.content.toString())),
  }).start();

  const confirmed = new Set<number>();
  const failed: Error[] = [];
  const publishing = (async () => {
    for (let i = 0; i < TOTAL; i++) {
      if (!publisher.hasRoom) await publisher.waitForRoom();
      void publisher.sendToQueue(queue, Buffer.from(String(i))).then(
        () => confirmed.add(i),
        (err: Error) => failed.push(err),
      );
      // About 1,000 messages a second, so the restart lands in the middle of publishing.
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 10));
    }
    await publisher.flush();
  })();

  let outageMs = 0;
  try {
    await waitUntil(() => confirmed.size >= 500, 20_000, '500 confirms before the restart');
    outageMs = await restartBroker();
    await publishing;
    await waitUntil(
      () => [...confirmed].every((id) => consumed.has(id)),
      30_000,
      'every confirmed message to be consumed',
    );
  } finally {
    await consumer.close();
    await publisher.close();
    await broker.close();
  }
  console.log(
    `broker restart: ${outageMs} ms stop_app..start_app, ${broker.reconnects} reconnect(s), ` +
      `${publisher.stats.republished} message(s) republished, ${confirmed.size} confirmed, ` +
      `${consumed.size} consumed`,
  );
  expect(failed).toEqual([]);
  expect(confirmed.size).toBe(TOTAL);
  expect(broker.reconnects).toBeGreaterThanOrEqual(1);
  for (const id of confirmed) expect(consumed.has(id)).toBe(true);
});
