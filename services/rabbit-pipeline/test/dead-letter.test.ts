/**
 * Bad input never crashes a consumer: a malformed body goes to the dead-letter queue at
 * once, a message whose handler keeps failing is retried a bounded number of times and
 * then dead-lettered, and `rabbit-pipeline dead-letters` shows why each one died.
 */
import { runNode } from '@fopnp/net/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RETRY_HEADER, ReliableConsumer } from '../src/consumer.js';
import { describeDeadLetter, peek } from '../src/inspect.js';
import { openPipeline, type Pipeline, startPythagoras, startTally } from '../src/pipeline.js';
import { RpcClient } from '../src/rpc.js';
import { defaultTallyStateFile } from '../src/tally-state.js';
import { AMQP_URL, CLI, deleteAllUnder, uniquePrefix, waitUntil } from './helpers.js';

const prefix = uniquePrefix('dlq');
let p: Pipeline;

beforeAll(async () => {
  p = await openPipeline({ amqpUrl: AMQP_URL, prefix, maxRetries: 2 });
});

afterAll(async () => {
  await p?.close();
  await deleteAllUnder(prefix);
});

async function deadLetters() {
  const ch = await p.broker.channel();
  const msgs = await peek(ch, p.names.deadLetters, 50);
  await ch.close(); // unacked: they stay in the queue
  return msgs.map(describeDeadLetter);
}

/** A judge consumer whose handler always throws `message`, with 2 retries; counts its calls. */
async function alwaysFailingJudge(message: string) {
  const state = { calls: 0 };
  const consumer = await new ReliableConsumer(p.broker, {
    queue: p.names.judge,
    publisher: p.publisher,
    maxRetries: 2,
    deadLetterExchange: p.names.deadLetterExchange,
    handler() {
      state.calls++;
      throw new Error(message);
    },
  }).start();
  return { consumer, state };
}

it('dead-letters a malformed decision at once and tally keeps counting', async () => {
  const tally = await startTally(p, { stateFile: defaultTallyStateFile(prefix) });
  await p.publisher.sendToQueue(p.names.decisions, Buffer.from('maybe'), { messageId: 'bad-1' });
  await p.publisher.sendToQueue(p.names.decisions, Buffer.from('Y'));
  await p.publisher.sendToQueue(p.names.decisions, Buffer.from('N'));
  await waitUntil(() => tally.tally.count === 2 && tally.tally.malformed === 1, 10_000, 'tally');
  await tally.close();
  expect(tally.tally.estimate).toBe(2);
  const [dead] = (await deadLetters()).filter((d) => d.messageId === 'bad-1');
  expect(dead).toMatchObject({ queue: p.names.decisions, reason: 'failed', retries: 0, body: 'maybe' });
  expect(dead!.error).toMatch(/malformed message on .*decisions.*expected "Y" or "N", got "maybe"/);
});

it('retries a failing message a bounded number of times, then dead-letters it with its error', async () => {
  const { consumer, state } = await alwaysFailingJudge('pythagoras is on holiday');
  await p.publisher.publish(p.names.points, '1.1', Buffer.from('1'.repeat(64)), { messageId: 'poison-1' });
  await waitUntil(() => consumer.stats.deadLettered === 1, 10_000, 'the poison message to be dead-lettered');
  await consumer.close();
  expect(state.calls).toBe(3); // the first try and two retries
  expect(consumer.stats.retried).toBe(2);
  const [dead] = (await deadLetters()).filter((d) => d.messageId === 'poison-1');
  expect(dead).toMatchObject({ queue: p.names.judge, retries: 2, error: 'pythagoras is on holiday' });
});

it('bounds the retries of a message whose retry header is forged (negative)', async () => {
  const { consumer, state } = await alwaysFailingJudge('still failing');
  await p.publisher.publish(p.names.points, '1.0', Buffer.from('1'.repeat(64)), {
    messageId: 'forged-1',
    headers: { [RETRY_HEADER]: -1_000_000 },
  });
  await waitUntil(() => consumer.stats.deadLettered === 1, 10_000, 'the forged message to be dead-lettered');
  await consumer.close();
  expect(state.calls).toBe(3); // as for any message: the first try and two retries
});

it("falls back to the queue's own dead-letter exchange (x-death) when it has no publisher", async () => {
  const consumer = await new ReliableConsumer(p.broker, {
    queue: p.names.alwaysYes,
    handler() {
      throw new Error('no publisher, no retries');
    },
  }).start();
  await p.publisher.publish(p.names.points, '0.0', Buffer.from('0'.repeat(64)), { messageId: 'native-1' });
  await waitUntil(() => consumer.stats.deadLettered === 1, 10_000, 'broker dead-lettering');
  await consumer.close();
  const [dead] = (await deadLetters()).filter((d) => d.messageId === 'native-1');
  expect(dead).toMatchObject({ queue: p.names.alwaysYes, reason: 'rejected' });
});

it('answers a malformed sum-of-squares request with an error reply and keeps serving', async () => {
  const server = await startPythagoras(p);
  const rpc = await new RpcClient(p.broker, { replyQueuePrefix: p.names.replies, timeoutMs: 3_000 }).start();
  const bad = JSON.parse((await rpc.call(p.names.pythagoras, Buffer.from('{not json'))).toString());
  expect(bad.error).toMatch(/request is not JSON/);
  const good = JSON.parse((await rpc.call(p.names.pythagoras, Buffer.from('["3","4"]'))).toString());
  expect(good).toEqual({ sum: '25' });
  await rpc.close();
  await server.close();
});

it('lists the dead letters with their reasons from the command line', async () => {
  const r = await runNode(CLI, ['dead-letters', '--prefix', prefix, '--amqp-url', AMQP_URL]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/decisions\tfailed\tretries=0\tid=bad-1\t"maybe"\tmalformed message/);
  expect(r.stdout).toMatch(/judge\tfailed\tretries=2\tid=poison-1\t"1{64}"\tpythagoras is on holiday/);
  expect(r.stdout).toMatch(/always-yes\trejected\tretries=0\tid=native-1/);
  expect(r.stdout).toMatch(/judge\tfailed\tretries=2\tid=forged-1\t"1{64}"\tstill failing/);
  expect(r.stdout).toContain(`4 dead letter(s) shown from ${p.names.deadLetters}`);
});
