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
  /** Bytes of chunks[0] already handed out. */
  private head = 0;
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

  /**
   * readLengthPrefixed without waiting: the next frame if its header and whole payload are
   * already buffered, `undefined` if more bytes are needed. Same limit and
   * FrameTooLargeError (thrown as soon as the header is in).
   */
  tryReadLengthPrefixed(options: { maxBytes?: number } = {}): Buffer | undefined {
    this.throwIfViolated();
    if (this.buffered < LENGTH_PREFIX_BYTES) return undefined;
    const length = this.peekUInt32BE();
    const max = options.maxBytes ?? DEFAULT_MAX_FRAME;
    if (length > max) throw this.fail(new FrameTooLargeError(length, max));
    if (this.buffered < LENGTH_PREFIX_BYTES + length) return undefined;
    this.take(LENGTH_PREFIX_BYTES);
    return length === 0 ? Buffer.alloc(0) : this.take(length);
  }

  /**
   * Iterates length-prefixed frames until a clean EOF. Every frame already buffered is
   * handed out at once (an already-resolved result, no read promise and no generator step
   * per frame); the reader waits only when the buffer holds no whole frame.
   */
  lengthPrefixedFrames(options: { maxBytes?: number } = {}): AsyncGenerator<Buffer, void, unknown> {
    return new FrameIterator(
      () => this.tryReadLengthPrefixed(options),
      () => this.readLengthPrefixed(options),
    );
  }

  /**
   * Iterates delimited messages until a clean EOF. Every message already buffered is
   * handed out at once (as lengthPrefixedFrames); the reader waits only when it must.
   */
  delimited(
    delimiter: Buffer | string,
    options: { maxBytes?: number; includeDelimiter?: boolean } = {},
  ): AsyncGenerator<Buffer, void, unknown> {
    const delim = typeof delimiter === 'string' ? Buffer.from(delimiter) : delimiter;
    if (delim.length === 0) throw new RangeError('delimiter must not be empty');
    return new FrameIterator(
      () => this.tryReadUntil(delim, options),
      () => this.readUntil(delim, options),
    );
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
    if (first.length - this.head >= LENGTH_PREFIX_BYTES) return first.readUInt32BE(this.head);
    return this.copyOut(0, LENGTH_PREFIX_BYTES).readUInt32BE(0);
  }

  /** Copies `length` bytes starting at `start` of the buffered data without consuming. */
  private copyOut(start: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    let written = 0;
    let offset = 0;
    for (let i = 0; i < this.chunks.length && written < length; i++) {
      const chunk = this.chunks[i]!;
      const begin = i === 0 ? this.head : 0;
      const chunkEnd = offset + chunk.length - begin;
      if (chunkEnd > start) {
        const from = begin + Math.max(0, start + written - offset);
        written += chunk.copy(out, written, from, Math.min(chunk.length, from + length - written));
      }
      offset = chunkEnd;
    }
    return out;
  }

  /**
   * Index of `delim` in the buffered data at or after `from`, or -1. Linear in new data; a
   * one-byte delimiter is searched as a byte (memchr), not as a needle.
   */
  private indexOf(delim: Buffer, from: number): number {
    const byte = delim.length === 1 ? delim[0]! : -1;
    let offset = 0;
    for (let i = 0; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      const begin = i === 0 ? this.head : 0;
      const chunkEnd = offset + chunk.length - begin;
      if (chunkEnd > from) {
        const localFrom = begin + Math.max(0, from - offset);
        const local = byte >= 0 ? chunk.indexOf(byte, localFrom) : chunk.indexOf(delim, localFrom);
        if (local >= 0) return offset + local - begin;
        // A delimiter may straddle this chunk's end: check the few candidate positions.
        if (byte < 0 && i + 1 < this.chunks.length) {
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

  /**
   * Removes and returns the first `n` buffered bytes. The first chunk is consumed by moving
   * `head`, so a frame inside one chunk costs one view (the frame), not two.
   */
  private take(n: number): Buffer {
    let out: Buffer;
    const first = this.chunks[0]!;
    const available = first.length - this.head;
    if (available === n) {
      out = this.head === 0 ? first : first.subarray(this.head);
      this.chunks.shift();
      this.head = 0;
    } else if (available > n) {
      out = first.subarray(this.head, this.head + n);
      this.head += n;
    } else {
      out = Buffer.allocUnsafe(n);
      let written = 0;
      while (written < n) {
        const chunk = this.chunks[0]!;
        const begin = this.head;
        const need = n - written;
        if (chunk.length - begin <= need) {
          written += chunk.copy(out, written, begin);
          this.chunks.shift();
          this.head = 0;
        } else {
          chunk.copy(out, written, begin, begin + need);
          this.head = begin + need;
          written += need;
        }
      }
    }
    this.buffered -= n;
    this.consumed += n;
    return out;
  }
}

const ITERATION_DONE: IteratorReturnResult<void> = Object.freeze({ value: undefined, done: true });

/**
 * The iterator behind delimited() and lengthPrefixedFrames(): an AsyncGenerator by
 * contract (next/return/throw, for await, break), built by hand because an `async *`
 * generator costs a few promise steps per item even when the item is already buffered.
 * `tryRead` takes a whole frame from the buffer or returns undefined; `read` waits for one
 * (null at a clean EOF). After an error or EOF it is done; calls made while a read is
 * pending wait for it, so frames keep their order.
 */
class FrameIterator implements AsyncGenerator<Buffer, void, unknown> {
  private finished = false;
  private pending: Promise<IteratorResult<Buffer, void>> | undefined;

  constructor(
    private readonly tryRead: () => Buffer | undefined,
    private readonly read: () => Promise<Buffer | null>,
  ) {}

  next(): Promise<IteratorResult<Buffer, void>> {
    if (this.pending) {
      const again = () => this.next();
      return this.pending.then(again, again);
    }
    if (this.finished) return Promise.resolve(ITERATION_DONE);
    let value: Buffer | undefined;
    try {
      value = this.tryRead();
    } catch (err) {
      this.finished = true;
      return Promise.reject(err);
    }
    if (value !== undefined) return Promise.resolve({ value, done: false });
    const waiting = this.read().then(
      (frame): IteratorResult<Buffer, void> => {
        this.pending = undefined;
        if (frame !== null) return { value: frame, done: false };
        this.finished = true;
        return ITERATION_DONE;
      },
      (err: unknown) => {
        this.pending = undefined;
        this.finished = true;
        throw err;
      },
    );
    this.pending = waiting;
    return waiting;
  }

  return(): Promise<IteratorResult<Buffer, void>> {
    this.finished = true;
    return Promise.resolve(ITERATION_DONE);
  }

  throw(err: unknown): Promise<IteratorResult<Buffer, void>> {
    this.finished = true;
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.finished = true;
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
