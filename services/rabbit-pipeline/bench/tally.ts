/**
 * What does a durable tally cost? One run, same broker, same process: N decisions are
 * published (confirmed) to the decisions queue, then drained by
 *   memory:  the tally of before the state file: count, then ack (a restart lost the count)
 *   durable: startTally, acking only what a checkpoint on disk covers
 * Prints decisions/s of each (first delivery → queue drained), the ratio, and how many
 * writes the durable tally made (decisions per checkpoint).
 *
 *   flock /tmp/fopnp-bench.lock node dist/bench/tally.js [decisions]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ReliableConsumer } from '../src/consumer.js';
import { openPipeline, type Pipeline, startTally } from '../src/pipeline.js';
import { parseDecision } from '../src/protocol.js';
import { Tally } from '../src/tally.js';
import { deleteTopology, pipelineTopology } from '../src/topology.js';

const URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const PREFIX = `${process.env.AMQP_PREFIX ?? 'rp-bench-tally'}-${process.pid}`;
const N = Number(process.argv[2] ?? 20_000);
const PREFETCH = Number(process.env.PREFETCH ?? 64);

async function fill(p: Pipeline, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    if (!p.publisher.hasRoom) await p.publisher.waitForRoom();
    void p.publisher.sendToQueue(p.names.decisions, Buffer.from(i % 4 === 3 ? 'N' : 'Y'));
  }
  await p.publisher.flush();
}

/** Decisions per second from the first counted to the n-th. */
async function drain(tally: Tally, n: number): Promise<number> {
  while (tally.count === 0) await new Promise((r) => setTimeout(r, 1));
  const start = performance.now();
  while (tally.count < n) await new Promise((r) => setTimeout(r, 1));
  return ((n - 1) * 1_000) / (performance.now() - start);
}

async function memory(p: Pipeline, n: number): Promise<number> {
  await fill(p, n);
  const tally = new Tally();
  const consumer = new ReliableConsumer(p.broker, {
    queue: p.names.decisions,
    prefetch: PREFETCH,
    handler: (msg) => tally.record(parseDecision(msg.content, p.names.decisions)),
  });
  await consumer.start();
  const rate = await drain(tally, n);
  await consumer.close();
  return rate;
}

async function durable(p: Pipeline, n: number, stateFile: string) {
  await fill(p, n);
  const handle = await startTally(p, { stateFile });
  const rate = await drain(handle.tally, n);
  await handle.close();
  return { rate, ...handle.checkpoints.stats };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'rp-bench-tally-'));
const p = await openPipeline({ amqpUrl: URL, prefix: PREFIX, prefetch: PREFETCH });
try {
  // Warm-up of both paths (JIT, the broker's queue).
  await memory(p, 2_000);
  await durable(p, 2_000, path.join(dir, 'warm.json'));
  const mem = await memory(p, N);
  const dur = await durable(p, N, path.join(dir, 'tally.json'));
  console.log(
    `rabbit-pipeline tally: ${N} decisions, prefetch ${PREFETCH}, checkpoint defaults (half the prefetch or 20 ms)`,
  );
  console.log(`in memory, ack after counting:        ${Math.round(mem).toString().padStart(7)} decisions/s`);
  console.log(
    `durable, ack after the state file:    ${Math.round(dur.rate).toString().padStart(7)} decisions/s`,
  );
  console.log(`ratio durable/memory: ${(dur.rate / mem).toFixed(2)}`);
  console.log(
    `checkpoints: ${dur.checkpoints} writes for ${dur.decisions} decisions (${(dur.decisions / dur.checkpoints).toFixed(1)} per write)`,
  );
} finally {
  const ch = await p.broker.channel();
  await deleteTopology(ch, pipelineTopology(PREFIX));
  await ch.close();
  await p.close();
  await rm(dir, { recursive: true, force: true });
}
