/**
 * The Zen server of ch. 7. `loop` is the book's srv_asyncio2.py: one event loop holds
 * every conversation, so a slow client costs nothing but its buffers. `single` is
 * srv_single.py, kept to show why it is bad: conversations are served one at a time and
 * everyone else waits in the accept queue.
 *
 * Never listens at construction: call `listen()`.
 */
import net from 'node:net';
import { boundAddress, type Logger, listen, silentLogger } from '@fopnp/net';
import { DEFAULT_LIMITS, type ZenLimits } from './config.js';
import { type ConversationShared, conversationShared, converse, endAndRelease } from './conversation.js';
import { REPLIES } from './protocol.js';
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

export class ZenServer {
  readonly server: net.Server;
  readonly stats: ZenStats;
  readonly mode: ConversationMode;
  readonly limits: ZenLimits;
  private readonly logger: Logger;
  private readonly shared: ConversationShared;
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
      questionTimeoutMs: options.questionTimeoutMs ?? DEFAULT_LIMITS.questionTimeoutMs,
      maxConnections: options.maxConnections ?? DEFAULT_LIMITS.maxConnections,
    };
    this.logger = options.logger ?? silentLogger();
    this.stats = options.stats ?? emptyStats();
    this.shared = conversationShared(this.limits, this.stats, this.logger);
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
  async listen(
    port: number,
    host = '127.0.0.1',
    backlog = 4096,
    { reusePort = false } = {},
  ): Promise<net.AddressInfo> {
    await listen(this.server, port, host, { backlog, reusePort });
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
      // Discard whatever it sends and do not wait for a peer that never closes.
      endAndRelease(socket, BUSY);
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
      if (!this.serving) this.serveNext();
    } else {
      converse(socket, this.shared);
    }
  }

  /** single mode: one conversation to its end, then the next (srv_single.py). */
  private serveNext(): void {
    for (let s = this.waiting.shift(); s; s = this.waiting.shift()) {
      if (s.destroyed) continue;
      this.serving = true;
      s.once('close', () => {
        this.serving = false;
        this.serveNext();
      });
      converse(s, this.shared);
      return;
    }
  }
}

/** Builds a Zen server that is not yet listening. */
export function createZenServer(options: ZenServerOptions = {}): ZenServer {
  return new ZenServer(options);
}
