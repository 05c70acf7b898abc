/**
 * The chapter's client (client.py): ask questions one at a time, reading each answer up
 * to its `.`; or, with `-e`, send half a question and hang up to exercise the server's
 * error path.
 */
import type net from 'node:net';
import {
  connect,
  formatHostPort,
  IncompleteReadError,
  StreamReader,
  withTimeout,
  writeAll,
} from '@fopnp/net';
import { ServerBusyError } from './errors.js';
import { ANSWER_END, APHORISMS, REPLIES } from './protocol.js';

export interface ZenClientOptions {
  /** Deadline for connecting and for each answer. @default 10000 */
  timeoutMs?: number;
}

/** One connection to a Zen server. */
export class ZenClient {
  private readonly reader: StreamReader;

  private constructor(
    readonly socket: net.Socket,
    readonly target: string,
    private readonly timeoutMs: number,
  ) {
    this.reader = new StreamReader(socket);
  }

  static async connect(host: string, port: number, options: ZenClientOptions = {}): Promise<ZenClient> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const socket = await connect(host, port, { timeoutMs });
    socket.setNoDelay(true);
    return new ZenClient(socket, formatHostPort(host, port), timeoutMs);
  }

  /** Sends one question (add the `?` yourself) and returns the answer, `.` included. */
  async ask(question: string): Promise<string> {
    await writeAll(this.socket, question);
    return this.readAnswer();
  }

  /**
   * Reads the next answer (for callers that pipelined several questions). The server's
   * busy reply, sent to a connection over its limit, becomes a ServerBusyError.
   */
  async readAnswer(): Promise<string> {
    const answer = await withTimeout(
      this.reader.readUntil(ANSWER_END, { maxBytes: 4096 }),
      this.timeoutMs,
      `waiting for an answer from ${this.target}`,
    );
    if (answer === null) throw new IncompleteReadError(1, 0, 'answer (server closed the connection)');
    const text = answer.toString('latin1');
    if (text === REPLIES.busy) throw new ServerBusyError(this.target);
    return text;
  }

  /**
   * Hangs up, as the book's `sock.close()`: our FIN goes once what we wrote is flushed, and
   * the socket is closed then, without waiting for the server's FIN (srv_asyncio2.py never
   * sends one).
   */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.destroySoon();
    });
  }
}

/**
 * Asks each question in turn on one connection; returns [question, answer] pairs, and hands
 * each pair to `onAnswer` as soon as it arrives (the CLI prints it then, as client.py does).
 */
export async function askQuestions(
  host: string,
  port: number,
  questions: readonly string[],
  options: ZenClientOptions & { onAnswer?: (question: string, answer: string) => void } = {},
): Promise<Array<[string, string]>> {
  const client = await ZenClient.connect(host, port, options);
  try {
    const pairs: Array<[string, string]> = [];
    for (const q of questions) {
      const a = await client.ask(q);
      options.onAnswer?.(q, a);
      pairs.push([q, a]);
    }
    return pairs;
  } finally {
    await client.close();
  }
}

/** The book's `-e`: sends the first question without its `?`, then hangs up. */
export async function sendHalfQuestion(
  host: string,
  port: number,
  options: ZenClientOptions = {},
): Promise<string> {
  const client = await ZenClient.connect(host, port, options);
  const half = APHORISMS[0]![0].slice(0, -1);
  await writeAll(client.socket, half);
  await client.close();
  return half;
}
