/**
 * A poison pill of size (issue 21): a 50 MB message on each of the pipeline's queues, sent by
 * another client to a real `serve` (every role in one process) on the real broker. Each is
 * refused from its content header, never read whole, and dead-lettered; the process's peak
 * RSS stays far inside compose's 192 MiB container limit (it grew by 577-610 MiB a queue
 * before, so judge was OOM-killed, restarted and met the same message again, for ever), and
 * the pipeline keeps counting.
 *
 * The limit is the peak resident set (VmHWM) a memory cgroup would meet: this machine has no
 * systemd to run a `--scope -p MemoryMax=`, and a heap limit (--max-old-space-size) would not
 * bound amqplib's Buffers, which live outside the heap.
 */
import {
  type BackgroundProcess,
  peakRssMiB,
  scrapeMetrics,
  startServe,
  stopAll,
  waitForHttp,
} from '@fopnp/net/testing';
import amqp from 'amqplib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pipelineNames } from '../src/topology.js';
import { AMQP_URL, CLI, deleteAllUnder, uniquePrefix, waitUntil } from './helpers.js';

const prefix = uniquePrefix('oversize');
const names = pipelineNames(prefix);
const COMPOSE_LIMIT_MIB = 192;
let serve: BackgroundProcess;
let health: string;

beforeAll(async () => {
  ({ healthUrl: health, proc: serve } = await startServe(CLI, {
    AMQP_URL,
    AMQP_PREFIX: prefix,
    ROLE: 'all',
    RATE: '50',
    LOG_LEVEL: 'warn',
    TALLY_STATE_FILE: '',
  }));
  await waitForHttp(`${health}/readyz`, { timeoutMs: 20_000 });
});

afterAll(async () => {
  await serve?.stop('SIGKILL');
  await stopAll();
  await deleteAllUnder(prefix);
});

const metrics = () => scrapeMetrics(`${health}/metrics`);

it('refuses a 50 MB message on every queue unread, dead-letters it, stays under 192 MiB and keeps counting', async () => {
  const pid = serve.child.pid!;
  await waitUntil(
    async () => (await metrics()).value('rabbit_pipeline_tally_points') > 5,
    20_000,
    'first points',
  );
  const before = peakRssMiB(pid);

  const conn = await amqp.connect(AMQP_URL);
  try {
    const ch = await conn.createConfirmChannel();
    const big = Buffer.alloc(50 * 1024 * 1024, 0x30);
    const queues = [names.alwaysYes, names.judge, names.pythagoras, names.decisions];
    for (const q of queues) ch.sendToQueue(q, big, { messageId: `big-${q}`, replyTo: names.replies });
    await ch.waitForConfirms();
    await ch.close();
  } finally {
    await conn.close();
  }

  await waitUntil(
    async () => (await metrics()).text.match(/^rabbit_pipeline_oversize_refused_total\{/gm)?.length === 4,
    60_000,
    'four refusals',
  );
  const m = await metrics();
  for (const q of [names.alwaysYes, names.judge, names.pythagoras, names.decisions])
    expect(m.value(`rabbit_pipeline_oversize_refused_total{queue="${q}"`), q).toBe(1);

  // Refused unread: a few frames at a time, never a 50 MB buffer (let alone four).
  const after = peakRssMiB(pid);
  expect(after - before, `peak RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MiB`).toBeLessThan(48);
  expect(after).toBeLessThan(COMPOSE_LIMIT_MIB);
  expect(serve.output()).toMatch(/message of 52428800 bytes on .* is over the limit of 65536 bytes/);

  // The three queues with a dead-letter exchange kept theirs in the DLQ; pythagoras drops.
  const check = await amqp.connect(AMQP_URL);
  try {
    const ch = await check.createChannel();
    await waitUntil(
      async () => (await ch.checkQueue(names.deadLetters)).messageCount === 3,
      10_000,
      'three dead letters',
    );
    await ch.close();
  } finally {
    await check.close();
  }

  // Still the same process, still counting.
  const counted = (await metrics()).value('rabbit_pipeline_tally_points');
  await waitUntil(
    async () => (await metrics()).value('rabbit_pipeline_tally_points') > counted + 5,
    20_000,
    'points after the poison',
  );
  expect(serve.child.exitCode).toBeNull();
});
