/**
 * One connection to RabbitMQ that survives broker restarts. amqplib (≥ 1.1) reconnects
 * the *connection* itself, with exponential backoff and jitter, and runs a `setup`
 * hook after every connect; channels, consumers and unconfirmed publishes are ours to
 * restore. `Broker` runs that hook: it re-declares the topology, then re-attaches every
 * registered `Attachment` (publisher, consumer, RPC client) on the new connection.
 */
import { EventEmitter } from 'node:events';
import { type Logger, redactUrl, silentLogger } from '@fopnp/net';
import amqp, { type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import { Endpoints, parseUrls, redactUrls } from './endpoints.js';
import { BrokerUnreachableError, ClosedError } from './errors.js';

export type BrokerState = 'connecting' | 'connected' | 'disconnected' | 'closed';

/** Something that owns channels and must re-open them on each new connection. */
export interface Attachment {
  /** Opens its channel(s) on a fresh connection. Throwing makes the broker reconnect. */
  attach(model: ChannelModel): Promise<void>;
  /** The connection is gone: forget channels, keep what must be resent. */
  detach(reason: Error): void;
}

export interface BrokerOptions {
  /** One broker's URL, or a cluster's nodes' URLs separated by commas (tried in turn). */
  url: string;
  logger?: Logger;
  /** Declares exchanges and queues; runs on every (re)connect before attachments. */
  declare?: (model: ChannelModel) => Promise<void>;
  /** First reconnect delay. @default 100 */
  initialDelayMs?: number;
  /** Upper bound of the backoff. @default 5000 */
  maxDelayMs?: number;
  /** Retries before the *first* connection gives up (later outages retry forever). @default 5 */
  initialRetries?: number;
  /** AMQP heartbeat in seconds: how fast a silently dead peer is noticed. @default 10 */
  heartbeatSeconds?: number;
}

/** Adds `?heartbeat=` unless the URL sets one. */
function withHeartbeat(url: string, seconds: number): string {
  try {
    const u = new URL(url);
    if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', String(seconds));
    return u.toString();
  } catch {
    return url; // amqplib reports the bad URL itself
  }
}

export class Broker extends EventEmitter {
  state: BrokerState = 'connecting';
  /** Connections made after the first. */
  reconnects = 0;
  private model: ChannelModel | undefined;
  private readonly attachments = new Set<Attachment>();
  private readonly attachedTo = new WeakMap<Attachment, ChannelModel>();
  private readonly logger: Logger;
  private connectedOnce = false;

  private constructor(
    private readonly recovering: RecoveringChannelModel,
    private readonly options: BrokerOptions,
    private readonly endpoints: Endpoints,
  ) {
    super();
    this.logger = options.logger ?? silentLogger();
  }

  /** Connects (retrying with backoff) and resolves once the first connection is up. */
  static async connect(options: BrokerOptions): Promise<Broker> {
    let broker: Broker | undefined;
    let lastError: unknown;
    const heartbeat = options.heartbeatSeconds ?? 10;
    const endpoints = new Endpoints(options.url, heartbeat);
    // One address: the URL as given. Several: an object amqplib reads on every attempt,
    // moved to the next node after each drop or failed attempt.
    const target =
      parseUrls(options.url).length > 1 ? endpoints.target : withHeartbeat(options.url, heartbeat);
    const recovering = await amqp.connect(target, {
      recovery: {
        initialDelay: options.initialDelayMs ?? 100,
        maxDelay: options.maxDelayMs ?? 5_000,
        factor: 2,
        jitter: 0.2,
        maxRetries: Number.POSITIVE_INFINITY,
        initialMaxRetries: options.initialRetries ?? 5,
        waitForConnect: false,
        setup: (model: ChannelModel) => broker!.setup(model),
      },
    });
    broker = new Broker(recovering, options, endpoints);
    recovering.on('connect', (model: ChannelModel) => broker!.onConnect(model));
    recovering.on('disconnect', (err: Error) => {
      endpoints.next();
      broker!.onDisconnect(err);
    });
    recovering.on('connect-failed', (err: Error) => {
      endpoints.next();
      lastError = err;
      // Before the first connection the final BrokerUnreachableError says it in one line;
      // at warn (the role commands' level) each attempt would print a JSON line before it.
      const level = broker!.connectedOnce ? 'warn' : 'info';
      broker!.logger[level]({ err: err.message }, 'connection attempt failed');
    });
    recovering.on('reconnect-scheduled', ({ attempt, delay }: { attempt: number; delay: number }) =>
      broker!.logger.info({ attempt, delayMs: Math.round(delay) }, 'reconnecting to RabbitMQ'),
    );
    recovering.on('error', (err: Error) => broker!.logger.warn({ err: err.message }, 'connection error'));
    try {
      await recovering.waitForConnect();
    } catch (err) {
      broker.setState('closed', 'first connection failed');
      throw new BrokerUnreachableError(redactUrls(options.url), { cause: lastError ?? err });
    }
    return broker;
  }

  /** The one place the state changes: it logs and emits. */
  private setState(state: BrokerState, detail?: string): void {
    if (this.state === state) return;
    this.state = state;
    this.logger.info({ state, detail }, `broker ${state}`);
    this.emit('state', state);
    this.emit(state);
  }

  private async setup(model: ChannelModel): Promise<void> {
    await this.options.declare?.(model);
    for (const a of [...this.attachments]) await this.attachTo(a, model);
  }

  private async attachTo(a: Attachment, model: ChannelModel): Promise<void> {
    if (this.attachedTo.get(a) === model) return;
    this.attachedTo.set(a, model);
    try {
      await a.attach(model);
    } catch (err) {
      this.attachedTo.delete(a);
      throw err;
    }
  }

  private onConnect(model: ChannelModel): void {
    this.model = model;
    if (this.connectedOnce) this.reconnects++;
    this.connectedOnce = true;
    this.setState('connected', redactUrl(this.endpoints.current));
    // Attachments added while setup ran missed its snapshot: open them now.
    for (const a of this.attachments) {
      this.attachTo(a, model).catch((err: Error) =>
        this.logger.error({ err: err.message }, 'could not re-open a channel after connecting'),
      );
    }
  }

  private onDisconnect(err: Error): void {
    this.model = undefined;
    for (const a of this.attachments) {
      this.attachedTo.delete(a);
      a.detach(err);
    }
    this.setState('disconnected', err.message);
  }

  /** Registers an attachment and opens it now if connected (else on the next connect). */
  async add(a: Attachment): Promise<void> {
    if (this.state === 'closed') throw new ClosedError('broker connection');
    this.attachments.add(a);
    if (!this.model) return;
    try {
      await this.attachTo(a, this.model);
    } catch (err) {
      // It could not open now (a missing queue, say): it must not break every reconnect.
      this.attachments.delete(a);
      throw err;
    }
  }

  /**
   * An attachment lost its channel while the connection may still be up (the broker
   * closed the channel: a missing exchange, a queue deleted under a consumer). Opens it
   * again after `delayMs`; if the connection is gone instead, the next connect does it.
   */
  reattach(a: Attachment, delayMs = 250): void {
    if (!this.attachments.has(a)) return;
    this.attachedTo.delete(a);
    setTimeout(() => {
      const model = this.model;
      if (!model || !this.attachments.has(a)) return;
      this.attachTo(a, model).catch((err: Error) => {
        this.logger.warn({ err: err.message }, 'could not re-open a channel; retrying');
        this.reattach(a, Math.min(delayMs * 2, 5_000));
      });
    }, delayMs).unref();
  }

  /** Unregisters (the attachment closes its own channels). */
  remove(a: Attachment): void {
    this.attachments.delete(a);
    this.attachedTo.delete(a);
  }

  /** The URL of the node this connection uses (or tries next), password hidden. */
  get endpoint(): string {
    return redactUrl(this.endpoints.current);
  }

  /** A plain channel on the current connection (waits while reconnecting). */
  channel() {
    return this.recovering.createChannel();
  }

  /** Resolves when connected (at once if already). */
  whenConnected(): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(new ClosedError('broker connection'));
    return new Promise((resolve, reject) => {
      const onState = (s: BrokerState) => {
        if (s === 'connected') {
          this.off('state', onState);
          resolve();
        } else if (s === 'closed') {
          this.off('state', onState);
          reject(new ClosedError('broker connection'));
        }
      };
      this.on('state', onState);
    });
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.setState('closed');
    this.attachments.clear();
    await this.recovering.close().catch(() => {});
  }
}
