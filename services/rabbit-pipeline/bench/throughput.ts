/**
 * What does not losing messages cost? One run, 1 KiB messages, same broker, same process:
 *   raw:      amqplib at its fastest: transient messages, no confirms, consumer noAck
 *   plain:    the same guarantees as ours written straight on amqplib (no reconnection)
 *   ours:     our path: durable queue, persistent messages, confirms with a bounded
 *             window (ReliablePublisher), manual acks after the handler (ReliableConsumer)
 * Prints msg/s of each (publish start → last message consumed) and the ratio, with
 * end-to-end latency percentiles (publish call → handler) at saturation, then the
 * latency of raw and ours again at a fixed rate below saturation (LATENCY_RATE).
 *
 *   flock /tmp/fopnp-bench.lock node dist/bench/throughput.js [messages]
 */
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { Broker } from '../src/connection.js';
import { ReliableConsumer } from '../src/consumer.js';
import { ReliablePublisher } from '../src/publisher.js';

const URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const PREFIX = `${process.env.AMQP_PREFIX ?? 'rp-bench'}-${process.pid}`;
const N = Number(process.argv[2] ?? 20_000);
const SIZE = 1024;
const PREFETCH = Number(process.env.PREFETCH ?? 256);
const IN_FLIGHT = Number(process.env.MAX_IN_FLIGHT ?? 1024);

interface Result {
  rate: number;
  p50: number;
  p99: number;
}

/** A 1 KiB body whose first 8 bytes carry the send time (ns) for the latency. */
function body(filler: Buffer): Buffer {
  const b = Buffer.from(filler);
  b.writeBigUInt64BE(process.hrtime.bigint(), 0);
  return b;
}

/** Below saturation: sleeps until message i is due at `rate` per second. */
async function pace(start: bigint, i: number, rate: number): Promise<void> {
  const aheadMs = (i * 1e3) / rate - Number(process.hrtime.bigint() - start) / 1e6;
  if (aheadMs > 1) await new Promise((r) => setTimeout(r, aheadMs));
}

function summarize(latenciesNs: bigint[], start: bigint, end: bigint): Result {
  const ms = latenciesNs.map((l) => Number(l) / 1e6).sort((a, b) => a - b);
  const pct = (p: number) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))]!;
  return { rate: (ms.length * 1e9) / Number(end - start), p50: pct(50), p99: pct(99) };
}

async function raw(queue: string, filler: Buffer, n: number, rate = 0): Promise<Result> {
  const conn = await amqp.connect(URL);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: false, autoDelete: false });
  const latencies: bigint[] = [];
  let end = 0n;
  const done = new Promise<void>((resolve) => {
    void ch.consume(
      queue,
      (msg) => {
        if (!msg) return;
        latencies.push(process.hrtime.bigint() - msg.content.readBigUInt64BE(0));
        if (latencies.length === n) {
          end = process.hrtime.bigint();
          resolve();
        }
      },
      { noAck: true },
    );
  });
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (rate) await pace(start, i, rate);
    if (!ch.sendToQueue(queue, body(filler))) await new Promise((r) => ch.once('drain', r));
  }
  await done;
  await ch.deleteQueue(queue);
  await conn.close();
  return summarize(latencies, start, end);
}

/** The same guarantees written straight on amqplib (no reconnects, acks one by one). */
async function plainReliable(queue: string, filler: Buffer, n: number, rate = 0): Promise<Result> {
  const conn = await amqp.connect(URL);
  const pub = await conn.createConfirmChannel();
  const sub = await conn.createChannel();
  await pub.assertQueue(queue, { durable: true });
  await sub.prefetch(PREFETCH);
  const latencies: bigint[] = [];
  let end = 0n;
  const done = new Promise<void>((resolve) => {
    void sub.consume(queue, (msg) => {
      if (!msg) return;
      latencies.push(process.hrtime.bigint() - msg.content.readBigUInt64BE(0));
      sub.ack(msg);
      if (latencies.length === n) {
        end = process.hrtime.bigint();
        resolve();
      }
    });
  });
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (rate) await pace(start, i, rate);
    while (inFlight >= IN_FLIGHT) await new Promise<void>((r) => (wake = r));
    inFlight++;
    pub.sendToQueue(queue, body(filler), { persistent: true }, () => {
      inFlight--;
      wake?.();
      wake = undefined;
    });
  }
  await done;
  await sub.deleteQueue(queue);
  await conn.close();
  return summarize(latencies, start, end);
}

async function reliable(queue: string, filler: Buffer, n: number, rate = 0): Promise<Result> {
  const broker = await Broker.connect({
    url: URL,
    async declare(model) {
      const ch = await model.createChannel();
      await ch.assertQueue(queue, { durable: true });
      await ch.close();
    },
  });
  const publisher = await new ReliablePublisher(broker, { maxInFlight: IN_FLIGHT }).start();
  const latencies: bigint[] = [];
  let end = 0n;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const consumer = await new ReliableConsumer(broker, {
    queue,
    prefetch: PREFETCH,
    handler(msg) {
      latencies.push(process.hrtime.bigint() - msg.content.readBigUInt64BE(0));
      if (latencies.length === n) {
        end = process.hrtime.bigint();
        resolveDone();
      }
    },
  }).start();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (rate) await pace(start, i, rate);
    if (!publisher.hasRoom) await publisher.waitForRoom();
    void publisher.sendToQueue(queue, body(filler));
  }
  await publisher.flush();
  await done;
  await consumer.close();
  await publisher.close();
  const ch = await broker.channel();
  await ch.deleteQueue(queue);
  await ch.close();
  await broker.close();
  return summarize(latencies, start, end);
}

const filler = randomBytes(SIZE);
// A short warm-up of each path, so neither pays for the JIT or the broker's first queue.
await raw(`${PREFIX}.warm-raw`, filler, 2_000);
await reliable(`${PREFIX}.warm-reliable`, filler, 2_000);
const r = await raw(`${PREFIX}.raw`, filler, N);
const plain = await plainReliable(`${PREFIX}.plain`, filler, N);
const ours = await reliable(`${PREFIX}.reliable`, filler, N);
// Latency below saturation: the same paths at a fixed, moderate rate.
const LATENCY_RATE = Number(process.env.LATENCY_RATE ?? 2_000);
const LATENCY_N = LATENCY_RATE * 3;
const rawPaced = await raw(`${PREFIX}.raw-paced`, filler, LATENCY_N, LATENCY_RATE);
const oursPaced = await reliable(`${PREFIX}.reliable-paced`, filler, LATENCY_N, LATENCY_RATE);
const fmt = (x: Result) =>
  `${Math.round(x.rate).toString().padStart(7)} msg/s   p50 ${x.p50.toFixed(1).padStart(6)} ms   p99 ${x.p99.toFixed(1).padStart(6)} ms`;
console.log(
  `rabbit-pipeline throughput: ${N} messages of ${SIZE} bytes, prefetch ${PREFETCH}, in-flight ${IN_FLIGHT}`,
);
console.log(`raw amqplib (transient, no confirms, noAck): ${fmt(r)}`);
console.log(`plain amqplib, same guarantees:              ${fmt(plain)}`);
console.log(`ours (persistent, confirms, manual ack):     ${fmt(ours)}`);
console.log(`ratio ours/raw: ${(ours.rate / r.rate).toFixed(2)} (target >= 0.50)`);
console.log(`ratio ours/plain amqplib with the same guarantees: ${(ours.rate / plain.rate).toFixed(2)}`);
console.log(`end-to-end latency at ${LATENCY_RATE} msg/s (below saturation), ${LATENCY_N} messages:`);
console.log(`  raw:  p50 ${rawPaced.p50.toFixed(2)} ms   p99 ${rawPaced.p99.toFixed(2)} ms`);
console.log(`  ours: p50 ${oursPaced.p50.toFixed(2)} ms   p99 ${oursPaced.p99.toFixed(2)} ms`);
