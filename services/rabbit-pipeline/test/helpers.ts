/**
 * Test helpers: every test run declares its exchanges and queues under its own prefix
 * (other developers' tests share this RabbitMQ) and deletes everything under it after.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { cliTestKit, run } from '@fopnp/net/testing';
import amqp from 'amqplib';
import type { ReliablePublisher } from '../src/publisher.js';
import { defaultTallyStateFile } from '../src/tally-state.js';
import { pipelineTopology } from '../src/topology.js';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const { CLI, startCli } = cliTestKit(import.meta.url);

/** A prefix no other run uses: rp-test-<pid>-<random>. */
export function uniquePrefix(label: string): string {
  return `rp-test-${label}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

async function listNames(kind: 'queues' | 'exchanges', start: string): Promise<string[]> {
  const r = await run('rabbitmqctl', ['-q', `list_${kind}`, 'name', '--no-table-headers'], {
    timeoutMs: 60_000,
  });
  if (r.code !== 0) throw new Error(`rabbitmqctl list_${kind} failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((n) => n.startsWith(start));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Test prefixes on the broker whose run (the pid in the name) no longer exists. */
export async function staleTestPrefixes(): Promise<string[]> {
  const names = [...(await listNames('queues', 'rp-test-')), ...(await listNames('exchanges', 'rp-test-'))];
  const prefixes = new Set<string>();
  for (const name of names) {
    const m = /^(rp-test-[a-z]+-(\d+)-[0-9a-f]{6})\./.exec(name);
    if (m && !alive(Number(m[2]))) prefixes.add(m[1]!);
  }
  return [...prefixes];
}

/** Deletes every queue and exchange whose name starts with `prefix.`, and its tally state file. */
export async function deleteAllUnder(prefix: string): Promise<void> {
  await rm(defaultTallyStateFile(prefix), { force: true });
  const conn = await amqp.connect(AMQP_URL);
  try {
    // One channel each, in parallel: a channel runs one command at a time, and deleting
    // a quorum queue takes the broker a while.
    const [queues, exchanges] = await Promise.all([
      listNames('queues', `${prefix}.`),
      listNames('exchanges', `${prefix}.`),
    ]);
    // The names every pipeline declares are deleted even if the listing missed them.
    const topology = pipelineTopology(prefix);
    for (const q of topology.queues) if (!queues.includes(q.name)) queues.push(q.name);
    for (const x of topology.exchanges) if (!exchanges.includes(x.name)) exchanges.push(x.name);
    await Promise.all(
      queues.map(async (q) => {
        const ch = await conn.createChannel();
        await ch.deleteQueue(q);
        await ch.close();
      }),
    );
    const ch = await conn.createChannel();
    for (const x of exchanges) await ch.deleteExchange(x);
    await ch.close();
  } finally {
    await conn.close();
  }
}

/** Queues whose name starts with `start`, with their type and message count (rabbitmqctl). */
export async function queueInfo(start: string): Promise<Map<string, { type: string; messages: number }>> {
  const r = await run(
    'rabbitmqctl',
    ['-q', 'list_queues', 'name', 'type', 'messages', '--no-table-headers'],
    {
      timeoutMs: 30_000,
    },
  );
  const out = new Map<string, { type: string; messages: number }>();
  for (const line of r.stdout.split('\n')) {
    const [name, type, messages] = line.trim().split(/\s+/);
    if (name?.startsWith(start)) out.set(name, { type: type!, messages: Number(messages) });
  }
  return out;
}

/** Polls `check` until it returns true or the deadline passes. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Sends `total` confirmed messages to `queue` (body(i) for the i-th) within the publisher's
 * window; `done` resolves once all are confirmed, `confirmed()` counts them so far.
 */
export function publishNumbered(
  publisher: ReliablePublisher,
  queue: string,
  total: number,
  body: (i: number) => string,
): { done: Promise<void>; confirmed: () => number } {
  let confirmed = 0;
  const done = (async () => {
    for (let i = 0; i < total; i++) {
      if (!publisher.hasRoom) await publisher.waitForRoom();
      void publisher.sendToQueue(queue, Buffer.from(body(i))).then(() => confirmed++);
    }
    await publisher.flush();
  })();
  return { done, confirmed: () => confirmed };
}
