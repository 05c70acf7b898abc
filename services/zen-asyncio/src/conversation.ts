/**
 * One client's conversation, driven by the socket's `data` events (the book's
 * srv_asyncio1.py `data_received`, with `?` as the only boundary): every complete question
 * in a chunk is answered before the callback returns, so no promise, generator or timer is
 * made per question. Bytes after the last `?` are kept (as latin1 text, bounded by the
 * limit) until the rest of their question comes.
 *
 * Limits: a question longer than `maxQuestionBytes`, or not completed within
 * `questionTimeoutMs` of its first byte, gets an error line and our FIN at once; the
 * descriptor is released when the peer's FIN arrives, or after REFUSED_LINGER_MS at most.
 */
import type net from 'node:net';
import { classifyError, type Logger } from '@fopnp/net';
import type { ZenLimits } from './config.js';
import { type Answer, answerForText, QUESTION_END, REPLIES } from './protocol.js';
import type { ErrorKind, ZenStats } from './stats.js';

/** Longest a refused connection is kept after our error line, waiting for the peer's FIN. */
export const REFUSED_LINGER_MS = 1_000;

/** What a conversation shares with its server: built once per server, not per connection. */
export interface ConversationShared {
  limits: ZenLimits;
  stats: ZenStats;
  logger: Logger;
  /** REPLIES.tooLong(limit), encoded once. */
  tooLong: Buffer;
  /** REPLIES.questionTimeout(ms), encoded once. */
  questionTimeout: Buffer;
}

export function conversationShared(limits: ZenLimits, stats: ZenStats, logger: Logger): ConversationShared {
  return {
    limits,
    stats,
    logger,
    tooLong: Buffer.from(REPLIES.tooLong(limits.maxQuestionBytes), 'latin1'),
    questionTimeout: Buffer.from(REPLIES.questionTimeout(limits.questionTimeoutMs), 'latin1'),
  };
}

/**
 * Ends `socket` after `reply` and lets go of it soon whatever the peer does: its input is
 * read and dropped (so its FIN is seen, and no unread bytes turn our close into a reset
 * over the reply), and it is destroyed on the peer's FIN or after `lingerMs`. The linger
 * is a plain timer: bytes the peer keeps sending do not extend it.
 */
export function endAndRelease(socket: net.Socket, reply: Buffer, lingerMs = REFUSED_LINGER_MS): void {
  socket.removeAllListeners('data');
  socket.on('data', () => {});
  socket.on('error', () => {});
  socket.setTimeout(0);
  const linger = setTimeout(() => socket.destroy(), lingerMs);
  socket.once('close', () => clearTimeout(linger));
  socket.once('end', () => socket.destroy());
  socket.resume();
  socket.end(reply);
}

/** Starts the conversation on a connected socket (flowing from now on). */
export function converse(socket: net.Socket, shared: ConversationShared): void {
  new Conversation(socket, shared);
}

class Conversation {
  /**
   * The start of a question whose `?` has not come yet, as latin1 text (one character a
   * byte, so its length is its size in bytes).
   */
  private pending = '';
  private questionTimer: NodeJS.Timeout | undefined;
  /** Refused or timed out: nothing more is answered. */
  private over = false;
  private waitingForDrain = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly shared: ConversationShared,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (err: Error) => this.onError(err));
    socket.on('close', () => this.stopQuestionTimer());
    const idle = shared.limits.idleTimeoutMs;
    if (idle > 0) socket.setTimeout(idle, () => this.onIdle());
    if (shared.logger.isLevelEnabled('debug'))
      shared.logger.debug({ peer: this.peer }, 'accepted connection');
    socket.resume();
  }

  private get peer(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  private onData(chunk: Buffer): void {
    if (this.over) return;
    // Decoded once: substrings and Map lookups are cheaper than a Buffer view per question.
    const text = chunk.toString('latin1');
    let at = text.indexOf(QUESTION_END);
    if (at < 0) {
      this.keep(text);
      return;
    }
    const max = this.shared.limits.maxQuestionBytes;
    const stats = this.shared.stats;
    let first: Answer | undefined;
    let joined = '';
    let count = 0;
    let from = 0;
    while (at >= 0) {
      let question = text.slice(from, at + 1);
      if (this.pending.length > 0) {
        question = this.pending + question;
        this.pending = '';
        this.stopQuestionTimer();
      }
      if (question.length - 1 > max) {
        this.send(first, joined, count);
        this.refuse(
          this.shared.tooLong,
          'question_too_long',
          'question too long: replied with an error and closed',
        );
        return;
      }
      const answer = answerForText(question);
      if (answer.known) stats.questionsAnswered++;
      else stats.errors.unknown_aphorism++;
      if (count++ === 0) first = answer;
      else joined += count === 2 ? first!.text + answer.text : answer.text;
      from = at + 1;
      at = text.indexOf(QUESTION_END, from);
    }
    this.send(first, joined, count);
    // What follows the last `?`: the start of the next question, or only the newline of
    // someone typing questions one a line (dropped, so no question timer runs on it).
    if (from < text.length && !onlyWhitespace(text, from)) this.keep(text.slice(from));
  }

  /** Holds part of a question, refusing it once it is over the limit. */
  private keep(part: string): void {
    this.pending += part;
    if (this.pending.length > this.shared.limits.maxQuestionBytes) {
      this.refuse(
        this.shared.tooLong,
        'question_too_long',
        'question too long: replied with an error and closed',
      );
      return;
    }
    const ms = this.shared.limits.questionTimeoutMs;
    if (this.questionTimer === undefined && ms > 0) {
      this.questionTimer = setTimeout(() => {
        this.questionTimer = undefined;
        this.refuse(
          this.shared.questionTimeout,
          'question_timeout',
          'question not completed in time: replied with an error and closed',
        );
      }, ms);
    }
  }

  /**
   * Writes this chunk's answers in one write (a lone answer as its shared Buffer, several
   * joined as text); a client that does not read them stops being read.
   */
  private send(first: Answer | undefined, joined: string, count: number): void {
    if (first === undefined) return;
    const flushed = count === 1 ? this.socket.write(first.bytes) : this.socket.write(joined, 'latin1');
    if (!flushed && !this.waitingForDrain) {
      // its backlog stays in its kernel buffers, not in ours
      this.waitingForDrain = true;
      this.socket.pause();
      this.socket.once('drain', () => {
        this.waitingForDrain = false;
        if (!this.over) this.socket.resume();
      });
    }
  }

  private refuse(reply: Buffer, kind: ErrorKind, message: string): void {
    this.over = true;
    this.stopQuestionTimer();
    this.pending = '';
    this.shared.stats.errors[kind]++;
    const { limits, logger } = this.shared;
    logger.warn(
      {
        peer: this.peer,
        maxQuestionBytes: limits.maxQuestionBytes,
        questionTimeoutMs: limits.questionTimeoutMs,
      },
      message,
    );
    endAndRelease(this.socket, reply);
  }

  /** The peer finished sending: every answer is already written, so end ours. */
  private onEnd(): void {
    if (this.over) return;
    this.stopQuestionTimer();
    if (this.pending.length > 0) {
      // the book's "Client … sent b'…' but then closed"
      this.shared.stats.errors.closed_mid_question++;
      this.shared.logger.info(
        { peer: this.peer, receivedBytes: this.pending.length },
        'client closed the connection mid-question',
      );
    }
    this.over = true;
    this.socket.end();
  }

  private onIdle(): void {
    if (this.over) return;
    this.over = true;
    this.shared.stats.errors.idle_timeout++;
    this.shared.logger.info(
      { peer: this.peer, idleTimeoutMs: this.shared.limits.idleTimeoutMs },
      'closing idle connection',
    );
    this.socket.destroy();
  }

  private onError(err: Error): void {
    if (this.over) return;
    this.over = true;
    this.stopQuestionTimer();
    this.shared.stats.errors.socket_error++;
    const peer = this.peer;
    this.shared.logger.info({ peer, err: classifyError(err, peer).message }, 'connection failed');
    this.socket.destroy();
  }

  private stopQuestionTimer(): void {
    if (this.questionTimer !== undefined) {
      clearTimeout(this.questionTimer);
      this.questionTimer = undefined;
    }
  }
}

function onlyWhitespace(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}
