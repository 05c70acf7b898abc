/**
 * Each messaging pattern of the chapter, alone, against the real RabbitMQ: a work queue
 * shared by three consumers, fanout and topic publish/subscribe (prefix routing as the
 * book's ZeroMQ SUB sockets do it), and request/reply, including a timeout.
 */
import type { ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '../src/connection.js';
import { ReliableConsumer } from '../src/consumer.js';
import { RpcTimeoutError } from '../src/errors.js';
import { ReliablePublisher } from '../src/publisher.js';
import { createRpcServer, RpcClient } from '../src/rpc.js';
import { AMQP_URL, deleteAllUnder, uniquePrefix, waitUntil } from './helpers.js';

const prefix = uniquePrefix('patterns');
const q = (name: string) => `${prefix}.${name}`;
let broker: Broker;
let publisher: ReliablePublisher;

beforeAll(async () => {
  broker = await Broker.connect({
    url: AMQP_URL,
    async declare(model: ChannelModel) {
      const ch = await model.createChannel();
      await ch.assertQueue(q('work'), { durable: true });
      await ch.assertExchange(q('news'), 'fanout', { durable: true });
      await ch.assertExchange(q('points'), 'topic', { durable: true });
      for (const s of ['sub-a', 'sub-b']) {
        await ch.assertQueue(q(s), { durable: true });
        await ch.bindQueue(q(s), q('news'), '');
      }
      // The book: always_yes subscribes to "00", judge to "01", "10", "11".
      await ch.assertQueue(q('yes'), { durable: true });
      await ch.bindQueue(q('yes'), q('points'), '0.0.#');
      await ch.assertQueue(q('judge'), { durable: true });
      for (const pattern of ['0.1.#', '1.#']) await ch.bindQueue(q('judge'), q('points'), pattern);
      await ch.assertQueue(q('rpc'), { durable: true });
      await ch.assertQueue(q('nobody'), { durable: true });
      await ch.close();
    },
  });
  publisher = await new ReliablePublisher(broker, { maxInFlight: 100 }).start();
});

afterAll(async () => {
  await publisher?.close();
  await broker?.close();
  await deleteAllUnder(prefix);
});

describe('work queue', () => {
  it('shares 300 messages among three consumers, each message processed exactly once', async () => {
    const seen = new Map<string, number>();
    const perConsumer = [0, 0, 0];
    const consumers = await Promise.all(
      [0, 1, 2].map((i) =>
        new ReliableConsumer(broker, {
          queue: q('work'),
          prefetch: 5,
          async handler(msg) {
            const id = msg.content.toString();
            seen.set(id, (seen.get(id) ?? 0) + 1);
            perConsumer[i]!++;
            // A little work, so the broker has a reason to hand the next one elsewhere.
            await new Promise((r) => setTimeout(r, 2));
          },
        }).start(),
      ),
    );
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => publisher.sendToQueue(q('work'), Buffer.from(String(i)))),
    );
    await waitUntil(() => perConsumer.reduce((a, b) => a + b) >= 300, 15_000, '300 messages consumed');
    await Promise.all(consumers.map((c) => c.close()));
    expect(seen.size).toBe(300);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    for (const n of perConsumer) expect(n).toBeGreaterThan(30);
  });

  it('keeps consuming after its queue is deleted and declared again', async () => {
    const got: string[] = [];
    const admin = await broker.channel();
    await admin.assertQueue(q('phoenix'), { durable: true });
    const consumer = await new ReliableConsumer(broker, {
      queue: q('phoenix'),
      handler: (msg) => void got.push(msg.content.toString()),
    }).start();
    await publisher.sendToQueue(q('phoenix'), Buffer.from('before'));
    await waitUntil(() => got.length === 1, 10_000, 'the first message');
    // The broker cancels the consumer (basic.cancel) but keeps its channel open.
    await admin.deleteQueue(q('phoenix'));
    await admin.assertQueue(q('phoenix'), { durable: true });
    await publisher.sendToQueue(q('phoenix'), Buffer.from('after'));
    await waitUntil(() => got.length === 2, 15_000, 'the message sent after the queue came back');
    await consumer.close();
    await admin.close();
    expect(got).toEqual(['before', 'after']);
  });
});

describe('publish/subscribe', () => {
  it('delivers every fanout message to every subscriber queue', async () => {
    const got: Record<string, string[]> = { 'sub-a': [], 'sub-b': [] };
    const consumers = await Promise.all(
      Object.keys(got).map((s) =>
        new ReliableConsumer(broker, {
          queue: q(s),
          handler: (msg) => void got[s]!.push(msg.content.toString()),
        }).start(),
      ),
    );
    for (const m of ['one', 'two', 'three']) await publisher.publish(q('news'), '', Buffer.from(m));
    await waitUntil(() => got['sub-a']!.length === 3 && got['sub-b']!.length === 3, 10_000, 'fanout');
    await Promise.all(consumers.map((c) => c.close()));
    expect(got['sub-a']).toEqual(['one', 'two', 'three']);
    expect(got['sub-b']).toEqual(['one', 'two', 'three']);
  });

  it('routes points by the prefix of their bits, as the book subscribes to "00" versus "01", "10", "11"', async () => {
    const yes: string[] = [];
    const judged: string[] = [];
    const consumers = await Promise.all([
      new ReliableConsumer(broker, {
        queue: q('yes'),
        handler: (m) => void yes.push(m.content.toString()),
      }).start(),
      new ReliableConsumer(broker, {
        queue: q('judge'),
        handler: (m) => void judged.push(m.content.toString()),
      }).start(),
    ]);
    const points = ['0011', '0100', '1000', '1111', '0000', '0110'];
    for (const bits of points) {
      await publisher.publish(q('points'), bits.split('').join('.'), Buffer.from(bits));
    }
    await waitUntil(() => yes.length + judged.length === points.length, 10_000, 'topic routing');
    await Promise.all(consumers.map((c) => c.close()));
    expect(yes.sort()).toEqual(['0000', '0011']);
    expect(judged.sort()).toEqual(['0100', '0110', '1000', '1111']);
  });
});

/** A responder that squares the number it is sent, and a client for it. */
async function squaresOverRpc() {
  const server = await createRpcServer(broker, {
    queue: q('rpc'),
    handler: (body) => Buffer.from(String(Number(body.toString()) ** 2)),
    errorReply: (err) => Buffer.from(err.message),
  }).start();
  const client = await new RpcClient(broker, { replyQueuePrefix: q('replies'), timeoutMs: 5_000 }).start();
  return { server, client };
}

describe('request/reply', () => {
  it('matches replies to requests by correlation id, many at once', async () => {
    const { server, client } = await squaresOverRpc();
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => client.call(q('rpc'), Buffer.from(String(i)))),
    );
    expect(replies.map((r) => Number(r.toString()))).toEqual(Array.from({ length: 50 }, (_, i) => i * i));
    await client.close();
    await server.close();
  });

  it('declares a new reply queue when its reply queue is deleted under it, and answers again', async () => {
    const { server, client } = await squaresOverRpc();
    const replyQueue = () => (client as unknown as { replyQueue: string | undefined }).replyQueue;
    const first = replyQueue();
    expect(first).toBeDefined();
    const admin = await broker.channel();
    await admin.deleteQueue(first!);
    await admin.close();
    await waitUntil(() => replyQueue() !== undefined && replyQueue() !== first, 10_000, 'a new reply queue');
    expect((await client.call(q('rpc'), Buffer.from('7'))).toString()).toBe('49');
    await client.close();
    await server.close();
  });

  it('waits for its channel to re-open instead of failing a call at once', async () => {
    const { server, client } = await squaresOverRpc();
    // What a closed channel does (its 'close' handler detaches, then re-attaches after a
    // delay), done by hand so the call surely lands in between, while the connection is up.
    client.detach();
    const answer = client.call(q('rpc'), Buffer.from('6'));
    broker.reattach(client, 200);
    expect((await answer).toString()).toBe('36');
    await client.close();
    await server.close();
  });

  it('fails with FOPNP_RABBIT_PIPELINE_ERR_RPC_TIMEOUT when no responder runs, and the request expires', async () => {
    const client = await new RpcClient(broker, { replyQueuePrefix: q('replies'), timeoutMs: 300 }).start();
    const started = Date.now();
    const err = await client.call(q('nobody'), Buffer.from('anyone?')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcTimeoutError);
    expect((err as RpcTimeoutError).code).toBe('FOPNP_RABBIT_PIPELINE_ERR_RPC_TIMEOUT');
    expect((err as Error).message).toMatch(/is its responder running/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The request carried the timeout as its expiration: a late responder never sees it.
    // (Polled rather than checked once 100 ms later: a busy broker drops it a little late.)
    const ch = await broker.channel();
    let messageCount = -1;
    await waitUntil(
      async () => {
        messageCount = (await ch.checkQueue(q('nobody'))).messageCount;
        return messageCount === 0;
      },
      5_000,
      'the expired request to leave the queue',
    );
    await ch.close();
    expect(messageCount).toBe(0);
    await client.close();
  });
});
