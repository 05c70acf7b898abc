/**
 * Framing over byte streams (book ch. 3 and 5): the stream gives you bytes in arbitrary
 * slices, and these readers put the protocol's message boundaries back.
 *
 * Every reader keeps received chunks in a list and copies each byte at most once when a
 * frame is handed out, so reading is linear in the data (the book's `message += data`
 * recv_until is quadratic; see bench/framing.ts for the difference).
 */
import type { Readable, Writable } from 'node:stream';
import { FrameTooLargeError, IncompleteReadError } from './errors.js';

/** Default ceiling on a single frame: protects a server from a peer that claims 4 GiB. */
export const DEFAULT_MAX_FRAME = 16 * 1024 * 1024;

/** Header size of length-prefixed frames: a 4-byte unsigned big-endian length. */
export const LENGTH_PREFIX_BYTES = 4;

export interface StreamReaderOptions {
  /**
   * Bytes buffered before the source stream is paused (back-pressure on a fast sender).
   * @default 1 MiB
   */
  highWaterMark?: number;
}

/**
 * Pull-style reader over a Node Readable (a net.Socket, a TLS socket, a file stream).
 * Methods must be awaited one at a time: a frame reader belongs to one consumer.
 */
export class StreamReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private failure: Error | undefined;
  /** Set by a protocol violation (a frame over the limit): every later read throws it. */
  private violation: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly highWaterMark: number;
  /** Total bytes handed to callers so far (useful for progress and error messages). */
  consumed = 0;

  constructor(
    private readonly source: Readable,
    options: StreamReaderOptions = {},
  ) {
    this.highWaterMark = options.highWaterMark ?? 1024 * 1024;
    source.on('data', (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (buf.length === 0) return;
      this.chunks.push(buf);
      this.buffered += buf.length;
      if (this.buffered >= this.highWaterMark) source.pause();
      this.notify();
    });
    source.on('end', () => {
      this.ended = true;
      this.notify();
    });
    source.on('close', () => {
      this.ended = true;
      this.notify();
    });
    source.on('error', (err: Error) => {
      this.failure ??= err;
      this.notify();
    });
  }

  /** Bytes received and not yet handed out. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** True once the peer has finished sending and every buffered byte was read. */
  get atEof(): boolean {
    return this.ended && this.buffered === 0;
  }

  /**
   * Reads exactly `n` bytes (the book's `recvall`). Throws IncompleteReadError saying how
   * many arrived if the stream ends first.
   */
  async readExactly(n: number, what = 'frame'): Promise<Buffer> {
    this.throwIfViolated();
    if (n === 0) return Buffer.alloc(0);
    while (this.buffered < n) {
      this.throwIfFailed();
      if (this.ended) throw new IncompleteReadError(n, this.buffered, what);
      await this.more();
    }
    return this.take(n);
  }

  /**
   * Reads up to and including `delimiter` and returns the bytes (delimiter included unless
   * `includeDelimiter` is false). At EOF with nothing buffered returns null; at EOF with a
   * partial message throws IncompleteReadError. If `maxBytes` pass without a delimiter,
   * throws FrameTooLargeError and reads nothing further.
   */
  async readUntil(
    delimiter: Buffer | string,
    options: { maxBytes?: number; includeDelimiter?: boolean } = {},
  ): Promise<Buffer | null> {
    const delim = typeof delimiter === 'string' ? Buffer.from(delimiter) : delimiter;
    if (delim.length === 0) throw new RangeError('delimiter must not be empty');
    this.throwIfViolated();
    const max = options.maxBytes ?? DEFAULT_MAX_FRAME;
    let searchFrom = 0;
    for (;;) {
      const at = this.indexOf(delim, searchFrom);
      if (at >= 0) {
        const end = at + delim.length;
        if (at > max) throw this.fail(new FrameTooLargeError(at, max, 'message without delimiter'));
        const out = this.take(end);
        return options.includeDelimiter === false ? out.subarray(0, out.length - delim.length) : out;
      }
      if (this.buffered > max) {
        throw this.fail(new FrameTooLargeError(this.buffered, max, 'message without delimiter'));
      }
      // Only the last (delimiter length - 1) bytes can still start a match: never rescan.
      searchFrom = Math.max(0, this.buffered - delim.length + 1);
      this.throwIfFailed();
      if (this.ended) {
        if (this.buffered === 0) return null;
        throw new IncompleteReadError(this.buffered + delim.length, this.buffered, 'message (no delimiter)');
      }
      await this.more();
    }
  }

  /**
   * readUntil without waiting: the next message if a whole one is already buffered,
   * `undefined` if more bytes are needed (then call readUntil, which also reports EOF and
   * stream errors). Same limit and FrameTooLargeError. A consumer working through
   * pipelined messages pays no promise per message this way.
   */
  tryReadUntil(
    delimiter: Buffer | string,
    options: { maxBytes?: number; includeDelimiter?: boolean } = {},
  ): Buffer | undefined {
    const delim = typeof delimiter === 'string' ? Buffer.from(delimiter) : delimiter;
    if (delim.length === 0) throw new RangeError('delimiter must not be empty');
    const max = options.maxBytes ?? DEFAULT_MAX_FRAME;
    if (this.failure instanceof FrameTooLargeError) throw this.failure;
    const at = this.buffered === 0 ? -1 : this.indexOf(delim, 0);
    if (at >= 0) {
      if (at > max) throw this.fail(new FrameTooLargeError(at, max, 'message without delimiter'));
      const out = this.take(at + delim.length);
      return options.includeDelimiter === false ? out.subarray(0, out.length - delim.length) : out;
    }
    if (this.buffered > max) {
      throw this.fail(new FrameTooLargeError(this.buffered, max, 'message without delimiter'));
    }
    return undefined;
  }

  /**
   * Reads one length-prefixed frame (4-byte big-endian length, then the payload).
   * Returns null on a clean EOF between frames. A declared length over `maxBytes` throws
   * FrameTooLargeError before any of the payload is read.
   */
  async readLengthPrefixed(options: { maxBytes?: number } = {}): Promise<Buffer | null> {
    this.throwIfViolated();
    const max = options.maxBytes ?? DEFAULT_MAX_FRAME;
    while (this.buffered < LENGTH_PREFIX_BYTES) {
      this.throwIfFailed();
      if (this.ended) {
        if (this.buffered === 0) return null;
        throw new IncompleteReadError(LENGTH_PREFIX_BYTES, this.buffered, 'length prefix');
      }
      await this.more();
    }
    const length = this.peekUInt32BE();
    if (length > max) throw this.fail(new FrameTooLargeError(length, max));
    this.take(LENGTH_PREFIX_BYTES);
    return this.readExactly(length);
  }

  /** Iterates length-prefixed frames until a clean EOF. */
  async *lengthPrefixedFrames(options: { maxBytes?: number } = {}): AsyncGenerator<Buffer> {
    for (;;) {
      const frame = await this.readLengthPrefixed(options);
      if (frame === null) return;
      yield frame;
    }
  }

  /** Iterates delimited messages until a clean EOF. */
  async *delimited(
    delimiter: Buffer | string,
    options: { maxBytes?: number; includeDelimiter?: boolean } = {},
  ): AsyncGenerator<Buffer> {
    for (;;) {
      const message = await this.readUntil(delimiter, options);
      if (message === null) return;
      yield message;
    }
  }

  /**
   * The chunked block stream of ch. 5 (`blocks.py`): length-prefixed blocks, ended by a
   * zero-length block. EOF before the terminator is an IncompleteReadError.
   */
  async *blocks(options: { maxBytes?: number } = {}): AsyncGenerator<Buffer> {
    for (;;) {
      const block = await this.readLengthPrefixed(options);
      if (block === null)
        throw new IncompleteReadError(LENGTH_PREFIX_BYTES, 0, 'block stream (no end block)');
      if (block.length === 0) return;
      yield block;
    }
  }

  /** Returns whatever is buffered (waiting for at least one byte unless at EOF). */
  async readSome(): Promise<Buffer | null> {
    this.throwIfViolated();
    while (this.buffered === 0) {
      this.throwIfFailed();
      if (this.ended) return null;
      await this.more();
    }
    return this.take(this.buffered);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /**
   * Bytes already buffered are still handed out after a stream error (a reply that arrived
   * before a reset is a reply), but never after a protocol violation: nothing past a frame
   * over the limit is read.
   */
  private throwIfViolated(): void {
    if (this.violation) throw this.violation;
  }

  /** Marks the reader failed so no later call reads past a protocol violation. */
  private fail(err: Error): Error {
    this.failure = err;
    this.violation = err;
    this.source.pause();
    return err;
  }

  private more(): Promise<void> {
    if (this.source.isPaused() && !this.failure) this.source.resume();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private peekUInt32BE(): number {
    const first = this.chunks[0]!;
    if (first.length >= LENGTH_PREFIX_BYTES) return first.readUInt32BE(0);
    return this.copyOut(0, LENGTH_PREFIX_BYTES).readUInt32BE(0);
  }

  /** Copies `length` bytes starting at `start` of the buffered data without consuming. */
  private copyOut(start: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    let written = 0;
    let offset = 0;
    for (const chunk of this.chunks) {
      if (written === length) break;
      const chunkEnd = offset + chunk.length;
      if (chunkEnd > start) {
        const from = Math.max(0, start + written - offset);
        written += chunk.copy(out, written, from, Math.min(chunk.length, from + length - written));
      }
      offset = chunkEnd;
    }
    return out;
  }

  /** Index of `delim` in the buffered data at or after `from`, or -1. Linear in new data. */
  private indexOf(delim: Buffer, from: number): number {
    let offset = 0;
    for (let i = 0; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      const chunkEnd = offset + chunk.length;
      if (chunkEnd > from) {
        const local = chunk.indexOf(delim, Math.max(0, from - offset));
        if (local >= 0) return offset + local;
        // A delimiter may straddle this chunk's end: check the few candidate positions.
        if (delim.length > 1 && i + 1 < this.chunks.length) {
          const tailStart = Math.max(from, chunkEnd - delim.length + 1);
          const span = Math.min(this.buffered - tailStart, 2 * delim.length - 2);
          if (span >= delim.length) {
            const window = this.copyOut(tailStart, span);
            const hit = window.indexOf(delim);
            if (hit >= 0 && tailStart + hit < chunkEnd) return tailStart + hit;
          }
        }
      }
      offset = chunkEnd;
    }
    return -1;
  }

  /** Removes and returns the first `n` buffered bytes. */
  private take(n: number): Buffer {
    let out: Buffer;
    const first = this.chunks[0]!;
    if (first.length === n) {
      out = first;
      this.chunks.shift();
    } else if (first.length > n) {
      out = first.subarray(0, n);
      this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let written = 0;
      while (written < n) {
        const chunk = this.chunks[0]!;
        const need = n - written;
        if (chunk.length <= need) {
          chunk.copy(out, written);
          written += chunk.length;
          this.chunks.shift();
        } else {
          chunk.copy(out, written, 0, need);
          this.chunks[0] = chunk.subarray(need);
          written += need;
        }
      }
    }
    this.buffered -= n;
    this.consumed += n;
    return out;
  }
}

/** Encodes a payload as one length-prefixed frame. */
export function encodeLengthPrefixed(payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (body.length > 0xffffffff) throw new FrameTooLargeError(body.length, 0xffffffff);
  const header = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** The zero-length block that ends a block stream. */
export const END_OF_BLOCKS: Buffer = Buffer.alloc(LENGTH_PREFIX_BYTES);

/** Writes a payload, honouring back-pressure: resolves once the stream accepts more. */
export function writeAll(stream: Writable, data: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    stream.once('error', onError);
    const flushed = stream.write(data, (err) => {
      if (err) reject(err);
    });
    const done = () => {
      stream.off('error', onError);
      resolve();
    };
    if (flushed) done();
    else stream.once('drain', done);
  });
}

/** Sends blocks as a ch. 5 block stream, then the terminating empty block. */
export async function writeBlocks(
  stream: Writable,
  blocks: Iterable<Buffer> | AsyncIterable<Buffer>,
): Promise<void> {
  for await (const block of blocks) {
    if (block.length === 0) continue; // an empty block would end the stream early
    await writeAll(stream, encodeLengthPrefixed(block));
  }
  await writeAll(stream, END_OF_BLOCKS);
}
