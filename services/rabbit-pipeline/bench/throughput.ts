/**
 * What does not losing messages cost? 1 KiB messages, same broker, same process, against the
 * broker's limit for this client library:
 *   raw:   amqplib at its fastest: transient messages, no confirms, consumer noAck
 *   ours:  ReliablePublisher + ReliableConsumer: durable queue, persistent messages, confirms
 *          with a bounded window, manual acks after the handler (coalesced with `multiple`)
 * Both with the publisher and the consumer on separate connections (a connection's socket and
 * the broker's reader process for it are not shared between the two directions), both on
 * classic queues of x-queue-version 2 (what RabbitMQ 3.13, the compose image, declares by
 * default; on 3.10 it is a queue argument or a policy). BENCH_ROUNDS rounds (default 5), the
 * two sides in alternating order; each round's ratio ours/raw, and min / median / max over
 * the rounds; CPU per message of this process and of the broker (/proc/<pid>/stat of the
 * beam.smp listening on the AMQP port) beside the rates; the load average at start and end.
 * Then latency below saturation (LATENCY_RATE msg/s) once for each.
 *
 *   flock /tmp/fopnp-bench.lock node dist/bench/throughput.js [messages]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
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
  /** CPU µs per message: this process (publisher and consumer) and the broker. */
  clientUs?: number;
  brokerUs?: number;
}

/** Classic queues, version 2 (the lever measured: 0.36 -> 0.42 of raw in issue 20). */
const QUEUE_ARGS = { 'x-queue-version': 2 };

/** The broker process listening on the AMQP port (ss -ltnp), for its CPU time; undefined if not found. */
function brokerPid(): number | undefined {
  const port = new globalThis.URL(URL).port || '5672';
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    const m = /pid=(\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
const BROKER_PID = brokerPid();

/** utime + stime of a process in µs (/proc/<pid>/stat), 0 when unknown. */
function cpuOfPid(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  } catch {
    return 0;
  }
}

/** Runs a side and adds its CPU per message (this process's and the broker's). */
async function measured(n: number, side: () => Promise<Result>): Promise<Result> {
  const broker = cpuOfPid(BROKER_PID);
  const own = process.cpuUsage();
  const r = await side();
  const used = process.cpuUsage(own);
  return { ...r, clientUs: (used.user + used.system) / n, brokerUs: (cpuOfPid(BROKER_PID) - broker) / n };
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
  // Publisher and consumer on connections of their own, as ours has them.
  const pubConn = await amqp.connect(URL);
  const subConn = await amqp.connect(URL);
  const ch = await pubConn.createChannel();
  const sub = await subConn.createChannel();
  await ch.assertQueue(queue, { durable: false, autoDelete: false, arguments: QUEUE_ARGS });
  const latencies: bigint[] = [];
  let end = 0n;
  const done = new Promise<void>((resolve) => {
    void sub.consume(
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
  await subConn.close();
  await pubConn.close();
  return summarize(latencies, start, end);
}

async function reliable(queue: string, filler: Buffer, n: number, rate = 0): Promise<Result> {
  const declare = async (model: amqp.ChannelModel) => {
    const ch = await model.createChannel();
    await ch.assertQueue(queue, { durable: true, arguments: QUEUE_ARGS });
    await ch.close();
  };
  // One connection for the publisher, one for the consumer.
  const pubBroker = await Broker.connect({ url: URL, declare });
  const subBroker = await Broker.connect({ url: URL, declare });
  const publisher = await new ReliablePublisher(pubBroker, { maxInFlight: IN_FLIGHT }).start();
  const latencies: bigint[] = [];
  let end = 0n;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const consumer = await new ReliableConsumer(subBroker, {
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
  const { frames, messages } = consumer.ackStats;
  acksPerFrame.push(messages / Math.max(1, frames));
  await consumer.close();
  await publisher.close();
  const ch = await pubBroker.channel();
  await ch.deleteQueue(queue);
  await ch.close();
  await subBroker.close();
  await pubBroker.close();
  return summarize(latencies, start, end);
}
/** Messages covered by each ack frame the consumer sent, per run of ours. */
const acksPerFrame: number[] = [];

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const loadBefore = load();
const filler = randomBytes(SIZE);
// A short warm-up of each path, so neither pays for the JIT or the broker's first queue.
await raw(`${PREFIX}.warm-raw`, filler, 2_000);
await reliable(`${PREFIX}.warm-reliable`, filler, 2_000);
const raws: Result[] = [];
const ourss: Result[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // Alternating order: raw first in even rounds, ours first in odd ones.
  const runRaw = async () => raws.push(await measured(N, () => raw(`${PREFIX}.raw-${round}`, filler, N)));
  const runOurs = async () =>
    ourss.push(await measured(N, () => reliable(`${PREFIX}.reliable-${round}`, filler, N)));
  if (round % 2 === 0) {
    await runRaw();
    await runOurs();
  } else {
    await runOurs();
    await runRaw();
  }
}
// Latency below saturation: the same paths at a fixed, moderate rate.
const LATENCY_RATE = Number(process.env.LATENCY_RATE ?? 2_000);
const LATENCY_N = LATENCY_RATE * 3;
const rawPaced = await raw(`${PREFIX}.raw-paced`, filler, LATENCY_N, LATENCY_RATE);
const oursPaced = await reliable(`${PREFIX}.reliable-paced`, filler, LATENCY_N, LATENCY_RATE);

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[], digits = 2) =>
  `${sorted(xs)[0]!.toFixed(digits)} / ${median(xs).toFixed(digits)} / ${sorted(xs)[xs.length - 1]!.toFixed(digits)}`;
const ratios = ourss.map((o, i) => o.rate / raws[i]!.rate);
console.log(
  `rabbit-pipeline throughput: ${N} messages of ${SIZE} bytes a run, prefetch ${PREFETCH}, in-flight ${IN_FLIGHT}, ` +
    `${ROUNDS} rounds (order alternating), publisher and consumer on separate connections, x-queue-version 2, ` +
    `${new Date().toISOString().slice(0, 16)}Z, load average ${loadBefore} at start, ${load()} at end`,
);
for (let i = 0; i < ROUNDS; i++)
  console.log(
    `  round ${i + 1}: raw ${Math.round(raws[i]!.rate)} msg/s, ours ${Math.round(ourss[i]!.rate)} msg/s, ratio ${ratios[i]!.toFixed(2)}`,
  );
const cpu = (xs: Result[], k: 'clientUs' | 'brokerUs') => median(xs.map((x) => x[k] ?? 0)).toFixed(1);
console.log(
  `raw amqplib (transient, no confirms, noAck):  msg/s ${spread(
    raws.map((r) => r.rate),
    0,
  )}   CPU µs/msg: client ${cpu(raws, 'clientUs')}, broker ${cpu(raws, 'brokerUs')}`,
);
console.log(
  `ours (persistent, confirms, manual ack):      msg/s ${spread(
    ourss.map((r) => r.rate),
    0,
  )}   CPU µs/msg: client ${cpu(ourss, 'clientUs')}, broker ${cpu(ourss, 'brokerUs')}`,
);
console.log(
  `ratio ours/raw per round (min / median / max): ${spread(ratios)}  (target >= 0.50 in every round: ${
    ratios.every((r) => r >= 0.5) ? 'met' : `met in ${ratios.filter((r) => r >= 0.5).length} of ${ROUNDS}`
  })`,
);
console.log(`messages per ack frame (ours, median): ${median(acksPerFrame).toFixed(1)}`);
console.log(`end-to-end latency at ${LATENCY_RATE} msg/s (below saturation), ${LATENCY_N} messages:`);
console.log(`  raw:  p50 ${rawPaced.p50.toFixed(2)} ms   p99 ${rawPaced.p99.toFixed(2)} ms`);
console.log(`  ours: p50 ${oursPaced.p50.toFixed(2)} ms   p99 ${oursPaced.p99.toFixed(2)} ms`);
