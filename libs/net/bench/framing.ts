/**
 * Framing throughput: our StreamReader against the naive reader built like the book's
 * `recv_until` (`message += data`, then look for the delimiter in the new bytes only, as
 * its `endswith` does not rescan; split every frame out of the message). Both read the
 * same 16 MiB, fed in 64 KiB chunks, in one process.
 *
 * Rounds are interleaved (the side that goes first alternates), the ratio naive/ours is
 * taken per round, and min / median / max of the ratios are printed with the CPU time
 * (process.cpuUsage) per MiB for each side, which a loaded machine disturbs less than
 * wall time.
 *
 *   pnpm bench:framing [rounds]          (from the repo root; default 7 rounds)
 */
import os from 'node:os';
import { PassThrough, type Readable } from 'node:stream';
import { encodeLengthPrefixed, StreamReader } from '../src/framing.js';

const TOTAL = 16 * 1024 * 1024;
const CHUNK = 64 * 1024;
const ROUNDS = Number(process.argv[2] ?? 7);

/** The many-frames scenarios feed their 16 MiB this many times, so a measurement lasts long enough to mean something on a busy machine. */
const REPEAT = 8;

function source(data: Buffer, times = 1): Readable {
  const s = new PassThrough({ highWaterMark: CHUNK });
  (async () => {
    for (let t = 0; t < times; t++) {
      for (let off = 0; off < data.length; off += CHUNK) {
        if (!s.write(data.subarray(off, off + CHUNK))) await new Promise((r) => s.once('drain', r));
      }
    }
    s.end();
  })();
  return s;
}

/** The book's recv_until, splitting frames: append, search only what was appended. */
async function naiveReadUntil(stream: Readable, delim: Buffer): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let message = Buffer.alloc(0);
  for await (const chunk of stream) {
    const searchFrom = Math.max(0, message.length - delim.length + 1);
    message = Buffer.concat([message, chunk as Buffer]);
    let at = message.indexOf(delim, searchFrom);
    while (at >= 0) {
      out.push(message.subarray(0, at + delim.length));
      message = message.subarray(at + delim.length);
      at = message.indexOf(delim);
    }
  }
  return out;
}

/** Naive length-prefixed reading: append, then check whether the whole frame is there. */
async function naiveLengthPrefixed(stream: Readable): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let message = Buffer.alloc(0);
  for await (const chunk of stream) {
    message = Buffer.concat([message, chunk as Buffer]);
    while (message.length >= 4 && message.length >= 4 + message.readUInt32BE(0)) {
      const n = message.readUInt32BE(0);
      out.push(message.subarray(4, 4 + n));
      message = message.subarray(4 + n);
    }
  }
  return out;
}

interface Run {
  ms: number;
  cpuMs: number;
  frames: number;
  bytes: number;
}

async function measure(fn: () => Promise<Buffer[]>): Promise<Run> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const frames = await fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    frames: frames.length,
    bytes: frames.reduce((n, f) => n + f.length, 0),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const f1 = (x: number) => x.toFixed(x >= 10 ? 1 : 2);

async function scenario(
  name: string,
  mib: number,
  ours: () => Promise<Buffer[]>,
  naive: () => Promise<Buffer[]>,
) {
  await measure(ours); // warm-up, both sides
  await measure(naive);
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const oursCpu: number[] = [];
  const naiveCpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let a: Run;
    let b: Run;
    if (round % 2 === 0) {
      a = await measure(ours);
      b = await measure(naive);
    } else {
      b = await measure(naive);
      a = await measure(ours);
    }
    if (a.frames !== b.frames || a.bytes !== b.bytes) throw new Error(`${name}: implementations disagree`);
    ratios.push(b.ms / a.ms);
    cpuRatios.push(b.cpuMs / a.cpuMs);
    oursCpu.push(a.cpuMs / mib);
    naiveCpu.push(b.cpuMs / mib);
  }
  const r = { min: Math.min(...ratios), median: median(ratios), max: Math.max(...ratios) };
  console.log(
    `${name.padEnd(40)} ${f1(r.min).padStart(6)} ${f1(r.median).padStart(6)} ${f1(r.max).padStart(6)}x   ` +
      `CPU/MiB ours ${median(oursCpu).toFixed(2).padStart(7)} ms, naive ${median(naiveCpu).toFixed(2).padStart(7)} ms (CPU ratio ${f1(median(cpuRatios))}x)`,
  );
  return r;
}

const delim = Buffer.from('?');
const oneMessage = Buffer.concat([Buffer.alloc(TOTAL - 1, 0x61), delim]);
const lines = Buffer.alloc(TOTAL, 0x61);
for (let i = 1023; i < TOTAL; i += 1024) lines[i] = 0x3f;
const oneFrame = encodeLengthPrefixed(Buffer.alloc(TOTAL - 4, 0x62));
const frames = Buffer.concat(
  Array.from({ length: TOTAL / 1024 }, () => encodeLengthPrefixed(Buffer.alloc(1020, 0x63))),
);

console.log(
  `framing benchmark ${new Date().toISOString()}: 16 MiB (x${REPEAT} for 1 KiB frames) fed in ${CHUNK / 1024} KiB chunks, node ${process.version}, ` +
    `${ROUNDS} interleaved rounds, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.availableParallelism()} CPUs`,
);
console.log(`${'scenario'.padEnd(40)}    min median    max  (speed ratio ours/naive, per round)`);
const r1 = await scenario(
  'read-until, one 16 MiB message',
  16,
  async () => {
    const m = await new StreamReader(source(oneMessage)).readUntil(delim, { maxBytes: TOTAL });
    return [m!];
  },
  () => naiveReadUntil(source(oneMessage), delim),
);
const r2 = await scenario(
  `delimited(), ${REPEAT} x 16,384 of 1 KiB`,
  16 * REPEAT,
  async () => {
    const out: Buffer[] = [];
    for await (const m of new StreamReader(source(lines, REPEAT)).delimited(delim)) out.push(m);
    return out;
  },
  () => naiveReadUntil(source(lines, REPEAT), delim),
);
const r3 = await scenario(
  'length-prefix, one 16 MiB frame',
  16,
  async () => {
    const f = await new StreamReader(source(oneFrame)).readLengthPrefixed({ maxBytes: TOTAL });
    return [f!];
  },
  () => naiveLengthPrefixed(source(oneFrame)),
);
const r4 = await scenario(
  `lengthPrefixedFrames(), ${REPEAT} x 16,384`,
  16 * REPEAT,
  async () => {
    const out: Buffer[] = [];
    for await (const f of new StreamReader(source(frames, REPEAT)).lengthPrefixedFrames()) out.push(f);
    return out;
  },
  () => naiveLengthPrefixed(source(frames, REPEAT)),
);

const big = Math.min(r1.median, r3.median);
const small = Math.min(r2.median, r4.median);
console.log(
  `targets (medians): 16 MiB >= 10x: ${f1(big)}x ${big >= 10 ? 'met' : 'NOT met'}; ` +
    `1 KiB frames >= 1.0x: ${f1(small)}x ${small >= 1 ? 'met' : 'NOT met'}`,
);
process.exitCode = big >= 10 && small >= 1 ? 0 : 1;
