/**
 * The load generator: opens C connections to a Zen server, keeps `depth` questions in
 * flight on each (1 = the book's client, one question then wait; more = pipelined in one
 * write), checks every answer against the expected one, and counts answers that arrive
 * inside the measured window. Runs as a child process of bench/zen.ts (so its CPU is
 * its own) and prints one JSON line: `node dist/bench/loadgen.js '<json options>'`.
 */
import net from 'node:net';
import { APHORISMS } from '../src/protocol.js';
import { Histogram } from './histogram.js';

export interface LoadOptions {
  host: string;
  port: number;
  connections: number;
  /** Questions in flight per connection; 1 = sequential. */
  depth: number;
  /** Asking without counting, after everyone connected. */
  warmupMs: number;
  /** Length of the measured window. */
  seconds: number;
  /**
   * Idle-hold test instead: connect, print {"connected": n}, ask nothing for this long,
   * then ask every connection one question and wait for every answer.
   */
  holdMs?: number;
  /** Connects in flight at once, so SYN queues do not overflow. @default 200 */
  connectConcurrency?: number;
}

export interface LoadResult {
  connections: number;
  connectFailures: number;
  answered: number;
  wrongAnswers: number;
  errors: number;
  unanswered: number;
  seconds: number;
  histogram: number[];
  /** CPU this generator used inside the measured window. */
  cpuMs: number;
}

interface Batch {
  bytes: Buffer;
  answers: string[];
}

/** One batch per starting aphorism, each `depth` questions long, cycling through them all. */
function makeBatches(depth: number): Batch[] {
  return APHORISMS.map((_, start) => {
    const picked = Array.from({ length: depth }, (_, i) => APHORISMS[(start + i) % APHORISMS.length]!);
    return {
      bytes: Buffer.from(picked.map(([q]) => q).join(''), 'latin1'),
      answers: picked.map(([, a]) => a),
    };
  });
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const batches = makeBatches(opts.depth);
  const histogram = new Histogram();
  const result: LoadResult = {
    connections: 0,
    connectFailures: 0,
    answered: 0,
    wrongAnswers: 0,
    errors: 0,
    unanswered: 0,
    seconds: opts.seconds,
    histogram: [],
    cpuMs: 0,
  };
  let stopping = false;
  let measureFrom = Number.POSITIVE_INFINITY;
  let measureUntil = Number.POSITIVE_INFINITY;
  const sockets: net.Socket[] = [];
  const busy = new Set<net.Socket>();
  let onIdle: (() => void) | undefined;

  const drive = (socket: net.Socket, index: number) => {
    let batchNo = index % batches.length;
    let batch = batches[batchNo]!;
    let next = 0; // index in batch.answers of the next answer expected
    let sentAt = 0;
    let pending = '';
    const send = () => {
      batchNo = (batchNo + 1) % batches.length;
      batch = batches[batchNo]!;
      next = 0;
      sentAt = performance.now();
      busy.add(socket);
      socket.write(batch.bytes);
    };
    socket.on('data', (chunk: Buffer) => {
      let text = pending + chunk.toString('latin1');
      let from = 0;
      for (let dot = text.indexOf('.', from); dot >= 0; dot = text.indexOf('.', from)) {
        const answer = text.slice(from, dot + 1);
        from = dot + 1;
        const now = performance.now();
        if (answer !== batch.answers[next]) result.wrongAnswers++;
        if (now >= measureFrom && now < measureUntil) {
          result.answered++;
          histogram.record(now - sentAt);
        }
        if (++next === batch.answers.length) {
          busy.delete(socket);
          if (!stopping) send();
          else if (busy.size === 0) onIdle?.();
        }
      }
      text = text.slice(from);
      pending = text;
    });
    socket.on('error', () => {
      result.errors++;
    });
    socket.on('close', () => {
      if (busy.delete(socket)) {
        result.unanswered += batch.answers.length - next;
        if (!stopping) result.errors++;
        if (stopping && busy.size === 0) onIdle?.();
      }
    });
    send();
  };

  // Connect everyone first (bounded concurrency), then start asking.
  const concurrency = opts.connectConcurrency ?? 200;
  let nextIndex = 0;
  const connectOne = (): Promise<void> =>
    new Promise((resolve) => {
      const s = net.connect({ host: opts.host, port: opts.port, noDelay: true });
      s.once('connect', () => {
        sockets.push(s);
        s.removeAllListeners('error');
        resolve();
      });
      s.once('error', () => {
        result.connectFailures++;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: Math.min(concurrency, opts.connections) }, async () => {
      while (nextIndex < opts.connections) {
        nextIndex++;
        await connectOne();
      }
    }),
  );
  result.connections = sockets.length;
  let cpuStart = process.cpuUsage();
  const report = (msg: object) => process.stdout.write(`${JSON.stringify(msg)}\n`);
  if (opts.holdMs !== undefined) {
    report({ connected: sockets.length });
    await sleep(opts.holdMs);
    // Everyone asks once; the window is open for all of it.
    stopping = true;
    measureFrom = 0;
  } else {
    measureFrom = performance.now() + opts.warmupMs;
    measureUntil = measureFrom + opts.seconds * 1000;
  }
  sockets.forEach((s, i) => {
    drive(s, i);
  });
  if (opts.holdMs === undefined) {
    // The parent samples the server's CPU time at these two reports.
    await sleep(measureFrom - performance.now());
    cpuStart = process.cpuUsage();
    report({ phase: 'measuring' });
    await sleep(measureUntil - performance.now());
    report({ phase: 'measured' });
    stopping = true;
  }
  const cpu = process.cpuUsage(cpuStart);
  result.cpuMs = (cpu.user + cpu.system) / 1000;
  // Let the batches in flight finish (bounded), then close.
  if (busy.size > 0) {
    await new Promise<void>((resolve) => {
      onIdle = resolve;
      setTimeout(resolve, 10_000).unref();
    });
  }
  result.unanswered += busy.size;
  for (const s of sockets) s.destroy();
  result.histogram = histogram.counts;
  return result;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const opts = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
  const result = await runLoad(opts);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
