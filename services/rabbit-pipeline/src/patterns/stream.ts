/**
 * A RabbitMQ stream (`x-queue-type: stream`, RabbitMQ ≥ 3.9) read over plain AMQP 0-9-1:
 * no stream plugin is needed for that, only the `stream_queue` feature flag. A stream is
 * an append-only log: consuming does not remove anything, so any number of readers read
 * it independently, each from where it chooses (`x-stream-offset`: first, last, next, a
 * number or a time). The broker requires a prefetch and manual acks; the acks only give
 * credit back.
 *
 * `StreamReader` follows reconnects as the pipeline's consumers do, and resumes after the
 * last offset it saw instead of from its starting point, so a reconnect neither skips
 * nor repeats.
 */
import { type Logger, silentLogger } from '@fopnp/net';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Broker } from '../connection.js';
import { OwnChannel } from './own-channel.js';
import type { PatternSession } from './session.js';

export type StreamOffset = 'first' | 'last' | 'next' | number | Date;

export interface StreamReaderOptions {
  queue: string;
  from: StreamOffset;
  onMessage: (msg: ConsumeMessage, offset: number) => void;
  /** Deliveries in flight before acks give credit back (the broker requires one). @default 100 */
  prefetch?: number;
  logger?: Logger;
}

/** amqplib sends a small integer as a 32-bit int; the broker wants an offset as a long. */
function offsetArgument(from: StreamOffset): unknown {
  if (typeof from === 'number') return { '!': 'long', value: from };
  if (from instanceof Date) return { '!': 'timestamp', value: Math.floor(from.getTime() / 1_000) };
  return from;
}

export class StreamReader extends OwnChannel {
  /** Offset of the last message read, to resume after on a new connection. */
  lastOffset: number | undefined;
  read = 0;

  constructor(
    broker: Broker,
    private readonly options: StreamReaderOptions,
  ) {
    super(broker, (options.logger ?? silentLogger()).child({ stream: options.queue }));
  }

  protected async open(ch: Channel): Promise<void> {
    await ch.prefetch(this.options.prefetch ?? 100);
    const from = this.lastOffset === undefined ? this.options.from : this.lastOffset + 1;
    await ch.consume(
      this.options.queue,
      (msg) => {
        if (msg === null) {
          ch.close().catch(() => {});
          return;
        }
        const offset = Number(msg.properties.headers?.['x-stream-offset']);
        // A reader resumed at a chunk boundary may be sent a few messages it already had.
        if (this.lastOffset !== undefined && offset <= this.lastOffset) {
          ch.ack(msg);
          return;
        }
        this.lastOffset = offset;
        this.read++;
        this.options.onMessage(msg, offset);
        ch.ack(msg);
      },
      { noAck: false, arguments: { 'x-stream-offset': offsetArgument(from) } },
    );
  }
}

export interface ReaderResult {
  name: string;
  from: string;
  read: number;
  firstOffset: number | undefined;
  lastOffset: number | undefined;
}

export interface StreamRun {
  queue: string;
  before: number;
  after: number;
  readers: ReaderResult[];
}

/**
 * Appends `before` confirmed messages; a reader from `first` and one from offset
 * `before / 2` read them; a reader from `next` joins; `after` more are appended. Each
 * reader reads on its own; a last reader from `first` replays everything: reading took
 * nothing away.
 */
export async function runStream(
  s: PatternSession,
  o: { before?: number; after?: number; timeoutMs?: number } = {},
): Promise<StreamRun> {
  const queue = s.topology.queues[0]!.name;
  const before = o.before ?? 100;
  const after = o.after ?? 10;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const append = (from: number, count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        s.publisher.sendToQueue(queue, Buffer.from(`event ${from + i}`)),
      ),
    );
  const results: ReaderResult[] = [];
  const readers: StreamReader[] = [];
  const reader = async (name: string, from: StreamOffset) => {
    const result: ReaderResult = {
      name,
      from: String(from),
      read: 0,
      firstOffset: undefined,
      lastOffset: undefined,
    };
    results.push(result);
    readers.push(
      await new StreamReader(s.broker, {
        queue,
        from,
        logger: s.logger,
        onMessage(_msg, offset) {
          result.firstOffset ??= offset;
          result.lastOffset = offset;
          result.read++;
        },
      }).start(),
    );
    return result;
  };
  const until = async (what: string, done: () => boolean) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline)
        throw new Error(`stream: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  // Offsets are numbered from the stream's first message: a fresh stream (the command
  // deletes its stream after a run) starts at 0. On an older one every wait below still
  // ends (each reader reads at least what it waits for); the offsets printed say where.
  const half = Math.floor(before / 2);
  try {
    await append(0, before);
    const first = await reader('from first', 'first');
    const middle = await reader(`from offset ${half}`, half);
    await until(
      'the first two readers to catch up',
      () => first.read >= before && middle.read >= before - half,
    );
    const next = await reader('from next', 'next');
    // A 'next' reader starts at the end of the log as it is when the consumer is set up;
    // a message appended right away could land before that point, so give it a moment.
    await new Promise((r) => setTimeout(r, 200));
    await append(before, after);
    await until(
      'every reader to read the appended messages',
      () => first.read >= before + after && middle.read >= before - half + after && next.read >= after,
    );
    // Reading took nothing away: one more reader from the start replays all of it.
    const replay = await reader('replay from first', 'first');
    await until('the replay', () => replay.read >= before + after);
  } finally {
    for (const r of readers) await r.close();
  }
  return { queue, before, after, readers: results };
}

export function formatStreamRun(r: StreamRun): string {
  const lines = [
    `${r.before} events appended (confirmed) to stream ${r.queue}, then ${r.after} more after a reader from "next" joined:`,
    'reader                 read  offsets',
  ];
  for (const x of r.readers) {
    lines.push(
      `${x.name.padEnd(21)} ${String(x.read).padStart(5)}  ${x.firstOffset ?? '-'}..${x.lastOffset ?? '-'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
