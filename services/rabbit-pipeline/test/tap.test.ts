/**
 * `rabbit-pipeline tap EXCHANGE [PATTERN]` as a real process on the real broker: it
 * prints a line for each message the exchange routes to its pattern, in order, while the
 * queues that do the work still get every message; its queue goes away with it.
 */
import { runNode, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPatternSession, type PatternSession } from '../src/patterns/session.js';
import { patternTopology } from '../src/patterns/topologies.js';
import { AMQP_URL, CLI, deleteAllUnder, startCli, uniquePrefix, waitUntil } from './helpers.js';

const prefix = uniquePrefix('tap');
let s: PatternSession;
let exchange: string;

beforeAll(async () => {
  s = await openPatternSession(patternTopology('topics', prefix), { amqpUrl: AMQP_URL });
  exchange = s.topology.exchanges[0]!.name;
});

afterAll(async () => {
  await stopAll();
  await s?.close();
  await deleteAllUnder(prefix);
});

/** The tap's message lines (tab-separated; the `tapping …` line has none). */
function messageLines(output: string): string[] {
  return output.split('\n').filter((l) => l.includes('\t'));
}

async function messagesIn(queue: string): Promise<number> {
  const ch = await s.broker.channel();
  const { messageCount } = await ch.checkQueue(queue);
  await ch.close();
  return messageCount;
}

it('prints every message matching its pattern, one line each, and takes none from the queues', async () => {
  const tap = startCli(['tap', exchange, 'kern.#', '--count', '3']);
  const [, tapQueue] = (await tap.waitForOutput(/through (amq\.gen-\S+)/)) as RegExpMatchArray;
  const keys = ['kern.info', 'cron.info', 'kern.critical', 'auth.critical', 'kern.warning'];
  for (const [i, key] of keys.entries()) {
    await s.publisher.publish(exchange, key, Buffer.from(`event ${i}`), { messageId: `m${i}` });
  }
  expect(await tap.exited(15_000)).toBe(0);
  const lines = messageLines(tap.output());
  expect(lines.map((l) => l.split('\t').slice(1))).toEqual([
    [exchange, 'kern.info', '7B', 'id=m0', '"event 0"'],
    [exchange, 'kern.critical', '7B', 'id=m2', '"event 2"'],
    [exchange, 'kern.warning', '7B', 'id=m4', '"event 4"'],
  ]);
  for (const l of lines) expect(l.split('\t')[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
  // The work queues got theirs as if no tap were there.
  const n = (name: string) => `${prefix}.topics.${name}`;
  expect(await messagesIn(n('kern'))).toBe(3);
  expect(await messagesIn(n('critical'))).toBe(2);
  expect(await messagesIn(n('everything'))).toBe(5);
  // Exclusive, auto-delete: the tap's queue left with the tap.
  await waitUntil(
    async () => {
      const ch = await s.broker.channel();
      ch.on('error', () => {});
      const gone = await ch.checkQueue(tapQueue!).then(
        () => false,
        () => true,
      );
      if (!gone) await ch.close();
      return gone;
    },
    10_000,
    'the tap queue to be deleted',
  );
});

it('shows a message over --max-message-bytes from its header only, and the next one whole', async () => {
  const tap = startCli(['tap', exchange, 'auth.#', '--count', '2', '--max-message-bytes', '1024']);
  await tap.waitForOutput(/through amq\.gen-/);
  await s.publisher.publish(exchange, 'auth.big', Buffer.alloc(2 * 1024 * 1024, 0x61), { messageId: 'big' });
  await s.publisher.publish(exchange, 'auth.small', Buffer.from('small'), { messageId: 'small' });
  expect(await tap.exited(15_000)).toBe(0);
  const lines = messageLines(tap.output());
  expect(lines.map((l) => l.split('\t').slice(1))).toEqual([
    [exchange, 'auth.big', '2097152B', 'id=big', '"(not read: over MAX_MESSAGE_BYTES)"'],
    [exchange, 'auth.small', '5B', 'id=small', '"small"'],
  ]);
});

it('refuses a missing exchange in one line (exit 1) and the default exchange as a usage error (exit 2)', async () => {
  const missing = await runNode(CLI, ['tap', `${prefix}.no-such-exchange`]);
  expect(missing.code).toBe(1);
  expect(missing.stderr.trim()).toMatch(
    /^error: RabbitMQ refused: .*404 \(NOT-FOUND\).*no exchange '.*no-such-exchange'/,
  );
  const fallback = await runNode(CLI, ['tap', '']);
  expect(fallback.code).toBe(2);
  expect(fallback.stderr.trim()).toBe(
    'error: invalid value for exchange: the default exchange ("") cannot be bound, so it cannot be tapped: name an exchange',
  );
});
