/**
 * The Zen server of ch. 7. `loop` is the book's srv_asyncio2.py: one event loop holds
 * every conversation, so a slow client costs nothing but its buffers. `single` is
 * srv_single.py, kept to show why it is bad: conversations are served one at a time and
 * everyone else waits in the accept queue.
 *
 * Never listens at construction: call `listen()`.
 */
import net from 'node:net';
import {
  boundAddress,
  classifyError,
  FrameTooLargeError,
  IncompleteReadError,
  type Logger,
  listen,
  StreamReader,
  silentLogger,
} from '@fopnp/net';
import { DEFAULT_LIMITS, type ZenLimits } from './config.js';
import { answerFor, QUESTION_END, REPLIES } from './protocol.js';
import { emptyStats, type ZenStats } from './stats.js';

export type ConversationMode = 'loop' | 'single';

export interface ZenServerOptions extends Partial<ZenLimits> {
  /** @default 'loop' */
  mode?: ConversationMode;
  logger?: Logger;
  /** Counters to update; pass your own to share them. @default a fresh set */
  stats?: ZenStats;
}

const BUSY = Buffer.from(REPLIES.busy, 'latin1');
/** As a Buffer: readUntil would otherwise encode the string on every call. */
const QUESTION_MARK = Buffer.from(QUESTION_END, 'latin1');
/** How long a refused connection may stay half-closed, waiting for the client's FIN. */
const REFUSED_LINGER_MS = 2_000;

export class ZenServer {
  readonly server: net.Server;
  readonly stats: ZenStats;
  readonly mode: ConversationMode;
  readonly limits: ZenLimits;
  private readonly logger: Logger;
  private readonly tooLong: Buffer;
  /** readUntil's options, built once: the hot loop allocates nothing it can avoid. */
  private readonly framing: { maxBytes: number };
  private readonly sockets = new Set<net.Socket>();
  /** single mode: connections accepted and waiting for their turn. */
  private readonly waiting: net.Socket[] = [];
  private serving = false;
  private atLimit = false;
  private closing = false;

  constructor(options: ZenServerOptions = {}) {
    this.mode = options.mode ?? 'loop';
    this.limits = {
      maxQuestionBytes: options.maxQuestionBytes ?? DEFAULT_LIMITS.maxQuestionBytes,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_LIMITS.idleTimeoutMs,
      maxConnections: options.maxConnections ?? DEFAULT_LIMITS.maxConnections,
    };
    this.logger = options.logger ?? silentLogger();
    this.stats = options.stats ?? emptyStats();
    this.tooLong = Buffer.from(REPLIES.tooLong(this.limits.maxQuestionBytes), 'latin1');
    this.framing = { maxBytes: this.limits.maxQuestionBytes };
    // allowHalfOpen: a client may send its questions and shut down its side; it still
    // gets every answer before we close ours. pauseOnConnect: in single mode a waiting
    // client's bytes stay in the kernel until its turn.
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: this.mode === 'single' }, (s) =>
      this.accept(s),
    );
    this.server.on('error', (err) => {
      // After listen() succeeded this is an accept() failure such as EMFILE: the
      // listener stays up, the one connection is lost.
      if (this.server.listening) this.logger.error({ err }, 'accept failed (out of file descriptors?)');
    });
  }

  /** Listens and resolves with the bound address (port 0 picks a free port). */
  async listen(port: number, host = '127.0.0.1', backlog = 4096): Promise<net.AddressInfo> {
    await listen(this.server, port, host, { backlog });
    return this.address;
  }

  get address(): net.AddressInfo {
    return boundAddress(this.server);
  }

  /**
   * Stops accepting, closes every connection (a waiting or silent client gets EOF; any
   * answer already written is flushed first) and resolves when all are gone. Connections
   * still open after `graceMs` are destroyed.
   */
  async close(graceMs = 2_000): Promise<void> {
    this.closing = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.waiting.splice(0)) s.destroy();
    const all = [...this.sockets].map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.destroyed) return resolve();
          s.once('close', () => resolve());
          s.end();
        }),
    );
    const timer = setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, graceMs);
    await Promise.all(all);
    clearTimeout(timer);
    await stopped;
  }

  private accept(socket: net.Socket): void {
    const stats = this.stats;
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.sockets.size >= this.limits.maxConnections) {
      stats.errors.connection_limit++;
      if (!this.atLimit) {
        this.atLimit = true;
        this.logger.warn(
          { maxConnections: this.limits.maxConnections },
          `connection limit of ${this.limits.maxConnections} reached: refusing new clients with a busy reply until some close (raise --max-connections / ZEN_MAX_CONNECTIONS)`,
        );
      }
      // Discard whatever it sends (unread bytes would turn our close into a reset that
      // can destroy the reply), and do not wait forever for a peer that never closes.
      socket.on('error', () => {});
      socket.resume();
      const idle = this.limits.idleTimeoutMs;
      socket.setTimeout(idle > 0 ? Math.min(idle, REFUSED_LINGER_MS) : REFUSED_LINGER_MS, () =>
        socket.destroy(),
      );
      socket.end(BUSY);
      return;
    }
    stats.connectionsAccepted++;
    stats.openConnections++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => {
      this.sockets.delete(socket);
      stats.openConnections--;
      if (this.atLimit && this.sockets.size < this.limits.maxConnections * 0.9) {
        this.atLimit = false;
        this.logger.info({ open: this.sockets.size }, 'below the connection limit again: accepting');
      }
    });
    if (this.mode === 'single') {
      socket.on('error', () => {}); // a waiting client may reset; handled when its turn comes
      this.waiting.push(socket);
      if (!this.serving) void this.serveWaiting();
    } else {
      void this.converse(socket);
    }
  }

  /** single mode: one conversation to its end, then the next (srv_single.py). */
  private async serveWaiting(): Promise<void> {
    this.serving = true;
    try {
      for (let s = this.waiting.shift(); s; s = this.waiting.shift()) {
        if (s.destroyed) continue;
        s.resume();
        await this.converse(s);
      }
    } finally {
      this.serving = false;
    }
  }

  /**
   * One client's conversation: questions in, answers out, in order. Answers to a batch of
   * pipelined questions are corked and leave in one writev; a lone question's answer is
   * written at once.
   */
  private async converse(socket: net.Socket): Promise<void> {
    const stats = this.stats;
    const log = this.logger;
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    if (log.isLevelEnabled('debug')) log.debug({ peer }, 'accepted connection');
    const done = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let timedOut = false;
    if (this.limits.idleTimeoutMs > 0) {
      socket.setTimeout(this.limits.idleTimeoutMs, () => {
        timedOut = true;
        stats.errors.idle_timeout++;
        log.info({ peer, idleTimeoutMs: this.limits.idleTimeoutMs }, 'closing idle connection');
        socket.destroy();
      });
    }
    const reader = new StreamReader(socket, { highWaterMark: 64 * 1024 });
    const maxBytes = this.limits.maxQuestionBytes;
    const framing = this.framing;
    try {
      for (;;) {
        // Pipelined questions already buffered are taken without a promise each.
        const question =
          reader.tryReadUntil(QUESTION_MARK, framing) ?? (await reader.readUntil(QUESTION_MARK, framing));
        if (question === null) break; // clean EOF between questions
        const answer = answerFor(question);
        if (answer.known) stats.questionsAnswered++;
        else stats.errors.unknown_aphorism++;
        // More questions already buffered: hold the answers back and send them together.
        if (!socket.writableCorked && reader.bufferedBytes > 0) {
          socket.cork();
          process.nextTick(uncork, socket);
        }
        // A client that pipelines but never reads: stop reading its questions until
        // it drains our answers, so its backlog lives in its kernel buffers, not ours.
        if (!socket.write(answer.bytes)) await drained(socket);
      }
      socket.end();
    } catch (err) {
      if (err instanceof FrameTooLargeError) {
        stats.errors.question_too_long++;
        log.warn({ peer, limit: maxBytes }, 'question too long: replied with an error and closed');
        socket.end(this.tooLong);
      } else if (err instanceof IncompleteReadError) {
        if (!timedOut) {
          // the book's "Client … sent b'…' but then closed"; timeouts were logged already
          stats.errors.closed_mid_question++;
          log.info({ peer, receivedBytes: err.received }, 'client closed the connection mid-question');
        }
        socket.end();
      } else {
        stats.errors.socket_error++;
        log.info({ peer, err: classifyError(err, peer).message }, 'connection failed');
        socket.destroy();
      }
    }
    if (this.mode === 'single') await done;
  }
}

function uncork(socket: net.Socket): void {
  socket.uncork();
}

function drained(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      socket.off('drain', finish);
      socket.off('close', finish);
      resolve();
    };
    socket.on('drain', finish);
    socket.on('close', finish);
  });
}

/** Builds a Zen server that is not yet listening. */
export function createZenServer(options: ZenServerOptions = {}): ZenServer {
  return new ZenServer(options);
}
