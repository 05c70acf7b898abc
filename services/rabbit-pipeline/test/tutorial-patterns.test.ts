/**
 * `rabbit-pipeline pattern NAME`: the RabbitMQ tutorials' topologies over the pipeline's
 * library, against the real broker. Fair dispatch measured against a large prefetch;
 * fanout, direct and topic routing counted per queue; request/reply answers checked;
 * a stream read from three offsets independently and replayed, and a stream reader that
 * re-attaches resuming after its last offset.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runNode } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { runExchangePattern, topicMatches } from '../src/patterns/exchanges.js';
import { runRequestReply } from '../src/patterns/request-reply.js';
import { openPatternSession, type PatternSession } from '../src/patterns/session.js';
import { runStream, StreamReader } from '../src/patterns/stream.js';
import { type PatternName, patternTopology } from '../src/patterns/topologies.js';
import { runWorkQueue } from '../src/patterns/work-queue.js';
import { AMQP_URL, CLI, deleteAllUnder, queueInfo, uniquePrefix, waitUntil } from './helpers.js';

const prefix = uniquePrefix('tutorials');
const sessions: PatternSession[] = [];

async function session(pattern: PatternName): Promise<PatternSession> {
  const s = await openPatternSession(patternTopology(pattern, prefix), { amqpUrl: AMQP_URL });
  sessions.push(s);
  return s;
}

afterAll(async () => {
  for (const s of sessions) await s.close();
  await deleteAllUnder(prefix);
});

describe('work queue', () => {
  it('with prefetch 1 shares the heavy tasks between the workers and finishes in < 0.85× the time of prefetch 64', async () => {
    const s = await session('work-queue');
    // Tasks long beside a round trip to the broker (which prefetch 1 pays per task, and
    // which grows on a loaded machine), so the comparison measures dispatch, not load.
    const o = { tasks: 40, workers: 2, heavyMs: 100, lightMs: 10 };
    const fair = await runWorkQueue(s, 1, o);
    const large = await runWorkQueue(s, 64, o);
    console.log(
      `work queue: prefetch 1 ${Math.round(fair.makespanMs)} ms (heavy ${fair.workers.map((w) => w.heavy).join('/')}), ` +
        `prefetch 64 ${Math.round(large.makespanMs)} ms (heavy ${large.workers.map((w) => w.heavy).join('/')}), ideal ${fair.idealMs} ms`,
    );
    for (const run of [fair, large]) expect(run.workers.reduce((n, w) => n + w.tasks, 0)).toBe(40);
    // Round-robin ahead of the work: every even (heavy) task to the same worker.
    expect(large.workers.map((w) => w.heavy).sort()).toEqual([0, 20]);
    expect(large.makespanMs).toBeGreaterThanOrEqual(20 * 100);
    // Fair dispatch: both workers take heavy tasks, and the run ends well before.
    for (const w of fair.workers) expect(w.heavy).toBeGreaterThanOrEqual(5);
    expect(fair.makespanMs).toBeLessThan(large.makespanMs * 0.85);
  });
});

describe('exchanges', () => {
  it('fanout (pubsub) gives every subscriber queue every message', async () => {
    const run = await runExchangePattern(await session('pubsub'), 30);
    expect(run.queues.map((q) => q.received)).toEqual([30, 30, 30]);
  });

  it('direct (routing) delivers by exact key: errors only to the error queue, all three to the console', async () => {
    const run = await runExchangePattern(await session('routing'), 30);
    const [errors, all] = run.queues;
    expect(errors!.received).toBe(10);
    expect([...errors!.byKey]).toEqual([['error', 10]]);
    expect(all!.received).toBe(30);
    expect(Object.fromEntries(all!.byKey)).toEqual({ info: 10, warning: 10, error: 10 });
  });

  it('topic delivers by pattern: kern.* 10, *.critical 15, # 30, and nothing stays behind', async () => {
    const run = await runExchangePattern(await session('topics'), 30);
    expect(run.queues.map((q) => [q.boundWith.join(), q.received])).toEqual([
      ['kern.*', 10],
      ['*.critical', 15],
      ['#', 30],
    ]);
    const left = await queueInfo(`${prefix}.topics.`);
    for (const [name, info] of left) expect({ name, messages: info.messages }).toEqual({ name, messages: 0 });
  });

  it('matches topic patterns as RabbitMQ does', () => {
    expect(topicMatches('kern.*', 'kern.info')).toBe(true);
    expect(topicMatches('kern.*', 'kern.info.x')).toBe(false);
    expect(topicMatches('#', '')).toBe(true);
    expect(topicMatches('a.#.z', 'a.z')).toBe(true);
    expect(topicMatches('a.#.z', 'a.b.c.z')).toBe(true);
    expect(topicMatches('*.critical', 'critical')).toBe(false);
  });
});

describe('request/reply', () => {
  it('answers 200 calls, 10 at a time, correctly, shared by two servers', async () => {
    const run = await runRequestReply(await session('rpc'), { calls: 200, concurrency: 10, servers: 2 });
    expect(run.correct).toBe(200);
    expect(run.perServer.reduce((a, b) => a + b)).toBe(200);
    for (const n of run.perServer) expect(n).toBeGreaterThan(0);
  });
});

describe('stream', () => {
  it('lets readers read independently from first, an offset and next, and replays all of it after', async () => {
    const s = await session('stream');
    const run = await runStream(s, { before: 100, after: 10 });
    expect(run.readers.map((r) => [r.name, r.read, r.firstOffset, r.lastOffset])).toEqual([
      ['from first', 110, 0, 109],
      ['from offset 50', 60, 50, 109],
      ['from next', 10, 100, 109],
      ['replay from first', 110, 0, 109],
    ]);
  });

  it('resumes after its last offset when it re-attaches, neither skipping nor repeating', async () => {
    const s = await session('stream');
    const queue = s.topology.queues[0]!.name;
    const seen: number[] = [];
    const reader = await new StreamReader(s.broker, {
      queue,
      from: 'next',
      onMessage: (_m, offset) => void seen.push(offset),
    }).start();
    await new Promise((r) => setTimeout(r, 200));
    const send = (n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => s.publisher.sendToQueue(queue, Buffer.from(`x${i}`))));
    await send(5);
    await waitUntil(() => seen.length === 5, 10_000, 'five offsets');
    // What a closed channel makes it do: drop the channel, attach again later.
    reader.detach();
    await send(5);
    s.broker.reattach(reader, 100);
    await waitUntil(() => seen.length >= 10, 10_000, 'ten offsets');
    await new Promise((r) => setTimeout(r, 200));
    await reader.close();
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => seen[0]! + i));
  });
});

describe('the command', () => {
  it('prints who got what for `pattern topics` and deletes its queues after', async () => {
    const p = uniquePrefix('tutorialcli');
    const r = await runNode(CLI, ['pattern', 'topics', '--prefix', p], { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^topics \(the book's ZeroMQ PUB\/SUB/);
    expect(r.stdout).toMatch(new RegExp(`${p}\\.topics\\.critical\\s+"\\*\\.critical"\\s+15\\s`));
    expect((await queueInfo(`${p}.`)).size).toBe(0);
    await deleteAllUnder(p);
  });

  it('prints fair dispatch in numbers for `pattern work-queue`', async () => {
    const p = uniquePrefix('tutorialwq');
    const r = await runNode(CLI, ['pattern', 'work-queue', '--prefix', p, '--messages', '20'], {
      timeoutMs: 60_000,
    });
    await deleteAllUnder(p);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+1\s+\d+ ms\s+\d+ ms\s+10 \(\d+\)/m);
    expect(r.stdout).toMatch(/^\s+64\s+\d+ ms\s+220 ms\s+10 \((0|10)\)/m);
    expect(r.stdout).toMatch(/prefetch 1 finished in 0\.\d+× the time of prefetch 64/);
  });

  it("embeds the topics pattern's Mermaid diagram in the README unchanged", async () => {
    const r = await runNode(CLI, ['pattern', 'topics', '--topology', '--format', 'mermaid']);
    const readme = await readFile(path.resolve(import.meta.dirname, '../README.md'), 'utf8');
    expect(r.stdout.startsWith('```mermaid\nflowchart LR\n')).toBe(true);
    expect(readme).toContain(r.stdout);
  });

  it('prints a topology as tables and Mermaid without a broker, and refuses an unknown pattern', async () => {
    const r = await runNode(CLI, ['pattern', 'stream', '--topology', '--amqp-url', 'amqp://127.0.0.1:1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| fopnp.stream.events | stream, durable |');
    expect(r.stdout).toContain('fopnp_stream_events -- "x-stream-offset first" --> from_first');
    const bad = await runNode(CLI, ['pattern', 'pipeline-of-doom']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'error: invalid value for name: unknown pattern "pipeline-of-doom"; expected one of: work-queue, pubsub, routing, topics, rpc, stream',
    );
  });
});
