/**
 * The two clients of tcp_deadlock.py's lesson. `sendThenReceive` is the book's client: it
 * sends everything before reading anything, so with a large enough payload both sides
 * end up blocked in send and no byte moves. `sendWhileReceiving` is the fix: it reads the
 * replies while it is still writing, so the server's send never blocks for long.
 * Both detect a stall (no byte moved in either direction for `stallMs`) instead of
 * hanging, and report how far they got.
 */
import type net from 'node:net';
import { connect, writeAll } from '@fopnp/net';
import { BLOCK_BYTES, isCapitalizedAt, phraseBytes, roundToPhrases } from './capitalize.js';

export interface TransferOptions {
  /** No byte moving either way for this long counts as a stall. @default 2000 */
  stallMs?: number;
  /** Deadline for connecting. @default 10000 */
  connectTimeoutMs?: number;
}

export interface TransferReport {
  /** Bytes the client meant to send (the request rounded up to whole 16-byte phrases). */
  bytesToSend: number;
  /** Bytes the kernel had accepted from us (within one 64 KiB write). */
  bytesSent: number;
  bytesReceived: number;
  /** The first bytes of the reply, as the book prints them (its `recv(42)`). */
  firstData: Buffer;
  /** Set when the transfer stopped moving; the socket was then closed. */
  stalled: boolean;
  /** Whether every byte received was the capitalized phrase stream, in order. */
  replyCorrect: boolean;
}

const FIRST_DATA_BYTES = 42;
const STALLED = Symbol('stalled');

/** The book's client: send everything, shut down the sending half, then read. */
export function sendThenReceive(
  host: string,
  port: number,
  bytecount: number,
  options: TransferOptions = {},
): Promise<TransferReport> {
  return transfer(host, port, bytecount, options, false);
}

/** The fix: the same transfer, reading the replies while still writing. */
export function sendWhileReceiving(
  host: string,
  port: number,
  bytecount: number,
  options: TransferOptions = {},
): Promise<TransferReport> {
  return transfer(host, port, bytecount, options, true);
}

async function transfer(
  host: string,
  port: number,
  bytecount: number,
  options: TransferOptions,
  readWhileWriting: boolean,
): Promise<TransferReport> {
  const stallMs = options.stallMs ?? 2000;
  const socket = await connect(host, port, { timeoutMs: options.connectTimeoutMs ?? 10_000 });
  const report: TransferReport = {
    bytesToSend: roundToPhrases(bytecount),
    bytesSent: 0,
    bytesReceived: 0,
    firstData: Buffer.alloc(0),
    stalled: false,
    replyCorrect: true,
  };
  const sentToKernel = () => socket.bytesWritten - socket.writableLength;
  const receiving = () => receiveAll(socket, report);
  // Errors surface through the pending write or read; this keeps one arriving between
  // two writes from becoming an uncaught exception.
  socket.on('error', () => undefined);
  try {
    // Not reading means no 'data' listener: Node then stops pulling from the kernel once
    // its own small buffer is full, exactly like a Python program that never calls recv.
    const received = readWhileWriting ? receiving() : undefined;
    received?.catch(() => undefined); // awaited below; this only stops an early "unhandled" report
    for (let offset = 0; offset < report.bytesToSend; offset += BLOCK_BYTES) {
      const block = phraseBytes(Math.min(BLOCK_BYTES, report.bytesToSend - offset));
      if ((await untilStalled(writeAll(socket, block), socket, stallMs)) === STALLED) {
        report.stalled = true;
        break;
      }
    }
    report.bytesSent = sentToKernel();
    if (report.stalled) return report;
    socket.end(); // the book's shutdown(SHUT_WR): "no more data from me"
    report.stalled = (await untilStalled(received ?? receiving(), socket, stallMs)) === STALLED;
    report.bytesSent = sentToKernel();
    return report;
  } finally {
    socket.destroy();
  }
}

/** Reads until the server closes, counting and checking the capitalized echo. */
function receiveAll(socket: net.Socket, report: TransferReport): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      if (report.firstData.length < FIRST_DATA_BYTES) {
        const wanted = FIRST_DATA_BYTES - report.firstData.length;
        report.firstData = Buffer.concat([report.firstData, chunk.subarray(0, wanted)]);
      }
      if (report.replyCorrect && !isCapitalizedAt(chunk, report.bytesReceived)) report.replyCorrect = false;
      report.bytesReceived += chunk.length;
    });
    socket.once('end', resolve);
    socket.once('error', reject);
  });
}

/**
 * Resolves with `work`'s result, or with STALLED when neither the bytes written to the
 * kernel nor the bytes read from it changed for `stallMs`.
 */
function untilStalled<T>(work: Promise<T>, socket: net.Socket, stallMs: number): Promise<T | typeof STALLED> {
  const progress = () => socket.bytesRead + socket.bytesWritten - socket.writableLength;
  let last = progress();
  let lastMoved = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<typeof STALLED>((resolve) => {
    timer = setInterval(
      () => {
        const now = progress();
        if (now !== last) {
          last = now;
          lastMoved = Date.now();
        } else if (Date.now() - lastMoved >= stallMs) resolve(STALLED);
      },
      Math.max(10, Math.floor(stallMs / 10)),
    );
  });
  return Promise.race([work, stalled]).finally(() => clearInterval(timer));
}
