/**
 * Framing throughput: our linear StreamReader against the book's naive approach
 * (`message += data`, then search the whole message again), both fed the same 16 MiB in
 * 64 KiB chunks in one process. Prints MB/s for each and the ratio.
 *
 *   pnpm bench:framing            (from the repo root)
 */
import { PassThrough, type Readable } from 'node:stream';
import { encodeLengthPrefixed, StreamReader } from '../src/framing.js';

const TOTAL = 16 * 1024 * 1024;
const CHUNK = 64 * 1024;

function source(data: Buffer): Readable {
  const s = new PassThrough({ highWaterMark: CHUNK });
  (async () => {
    for (let off = 0; off < data.length; off += CHUNK) {
      if (!s.write(data.subarray(off, off + CHUNK))) await new Promise((r) => s.once('drain', r));
    }
    s.end();
  })();
  return s;
}

/** The book's recv_until: append every chunk to the message and search it from the start. */
async function naiveReadUntil(stream: Readable, delim: Buffer): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let message = Buffer.alloc(0);
  for await (const chunk of stream) {
    message = Buffer.concat([message, chunk as Buffer]);
    let at = message.indexOf(delim);
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

async function time(fn: () => Promise<Buffer[]>): Promise<{ ms: number; frames: number; bytes: number }> {
  const t0 = process.hrtime.bigint();
  const frames = await fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, frames: frames.length, bytes: frames.reduce((n, f) => n + f.length, 0) };
}

async function best(fn: () => Promise<Buffer[]>, runs: number) {
  let result = await time(fn);
  for (let i = 1; i < runs; i++) {
    const r = await time(fn);
    if (r.ms < result.ms) result = r;
  }
  return result;
}

function mbps(ms: number): number {
  return TOTAL / (1024 * 1024) / (ms / 1000);
}

async function scenario(name: string, ours: () => Promise<Buffer[]>, naive: () => Promise<Buffer[]>) {
  const a = await best(ours, 5);
  const b = await best(naive, 3);
  if (a.frames !== b.frames || a.bytes !== b.bytes) throw new Error(`${name}: implementations disagree`);
  const ratio = b.ms / a.ms;
  console.log(
    `${name.padEnd(44)} linear ${mbps(a.ms).toFixed(0).padStart(6)} MB/s   naive ${mbps(b.ms).toFixed(0).padStart(6)} MB/s   ratio ${ratio.toFixed(1)}x`,
  );
  return ratio;
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
  `framing benchmark: 16 MiB fed in ${CHUNK / 1024} KiB chunks, node ${process.version}, best of 5 (linear) / 3 (naive)`,
);
const r1 = await scenario(
  'read-until, one 16 MiB message',
  async () => {
    const m = await new StreamReader(source(oneMessage)).readUntil(delim, { maxBytes: TOTAL });
    return [m!];
  },
  () => naiveReadUntil(source(oneMessage), delim),
);
await scenario(
  'read-until, 16,384 messages of 1 KiB',
  async () => {
    const out: Buffer[] = [];
    for await (const m of new StreamReader(source(lines)).delimited(delim)) out.push(m);
    return out;
  },
  () => naiveReadUntil(source(lines), delim),
);
const r3 = await scenario(
  'length-prefix, one 16 MiB frame',
  async () => {
    const f = await new StreamReader(source(oneFrame)).readLengthPrefixed({ maxBytes: TOTAL });
    return [f!];
  },
  () => naiveLengthPrefixed(source(oneFrame)),
);
await scenario(
  'length-prefix, 16,384 frames of 1 KiB',
  async () => {
    const out: Buffer[] = [];
    for await (const f of new StreamReader(source(frames)).lengthPrefixedFrames()) out.push(f);
    return out;
  },
  () => naiveLengthPrefixed(source(frames)),
);

const worst = Math.min(r1, r3);
console.log(
  `16 MiB single-message ratio: ${worst.toFixed(1)}x (target >= 10x): ${worst >= 10 ? 'met' : 'NOT met'}`,
);
process.exitCode = worst >= 10 ? 0 : 1;
