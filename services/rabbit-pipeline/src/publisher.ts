/**
 * Publishing that loses nothing: persistent messages on a confirm channel, a bounded
 * window of messages awaiting their confirm, and every unconfirmed message kept until
 * the broker confirms it — sent again on the next connection if the old one died first.
 * A message confirmed once may be delivered twice (at-least-once); never zero times.
 */
import { EventEmitter } from 'node:events';
import { type Logger, silentLogger } from '@fopnp/net';
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import type { Attachment, Broker } from './connection.js';
import { ClosedError, PublishFailedError, PublishNackedError } from './errors.js';

export interface PublisherOptions {
  /** Messages sent but not yet confirmed before `publish` waits. @default 512 */
  maxInFlight?: number;
  /**
   * Times one message is resent after a broker nack before `publish` rejects, 100 ms
   * apart and doubling up to 5 s (≈ 16 s in all with the default): a quorum queue nacks
   * while it elects a new leader after its leader's node died, for a few seconds.
   * @default 8
   */
  maxNacks?: number;
  logger?: Logger;
}

interface Pending {
  seq: number;
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Options.Publish;
  /** The channel it was last sent on; undefined = waiting to be (re)sent. */
  channel: ConfirmChannel | undefined;
  sentBefore: boolean;
  nacks: number;
  resolve(): void;
  reject(err: Error): void;
}

/**
 * Events: 'confirm' (one message confirmed), 'republish' (count resent on a new
 * connection), 'nack'.
 */
export class ReliablePublisher extends EventEmitter implements Attachment {
  private readonly pending = new Map<number, Pending>();
  private readonly windowWaiters: (() => void)[] = [];
  private channel: ConfirmChannel | undefined;
  private seq = 0;
  private closed = false;
  private readonly maxInFlight: number;
  private readonly maxNacks: number;
  private readonly logger: Logger;
  /** Totals, for metrics and tests. */
  readonly stats = { published: 0, confirmed: 0, republished: 0, nacked: 0 };

  constructor(
    private readonly broker: Broker,
    options: PublisherOptions = {},
  ) {
    super();
    this.maxInFlight = options.maxInFlight ?? 512;
    this.maxNacks = options.maxNacks ?? 8;
    this.logger = options.logger ?? silentLogger();
  }

  /** Registers with the broker so the channel follows reconnects. */
  async start(): Promise<this> {
    await this.broker.add(this);
    return this;
  }

  /** Messages published and not yet confirmed (sent or waiting for a connection). */
  get inFlight(): number {
    return this.pending.size;
  }

  /** True when publish() would send at once rather than wait for the window. */
  get hasRoom(): boolean {
    return this.pending.size < this.maxInFlight;
  }

  /** Resolves when the window has room, for producers that should not queue up calls. */
  async waitForRoom(): Promise<void> {
    while (this.pending.size >= this.maxInFlight && !this.closed) {
      await new Promise<void>((resolve) => this.windowWaiters.push(resolve));
    }
  }

  /**
   * Publishes a persistent message and resolves when the broker has confirmed it (it is
   * then on disk for durable queues). Waits first while the window is full.
   */
  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish = {},
  ): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError('publisher'));
    // The check and the insert must happen in one turn of the event loop: with an
    // await between them, a burst of callers would all see the same free window.
    if (this.pending.size >= this.maxInFlight) {
      return this.waitForRoom().then(() => this.publish(exchange, routingKey, content, options));
    }
    return new Promise<void>((resolve, reject) => {
      const p: Pending = {
        seq: ++this.seq,
        exchange,
        routingKey,
        content,
        options: { persistent: true, ...options },
        channel: undefined,
        sentBefore: false,
        nacks: 0,
        resolve,
        reject,
      };
      this.pending.set(p.seq, p);
      this.stats.published++;
      this.send(p);
    });
  }

  /** Sends straight to a queue through the default exchange. */
  sendToQueue(queue: string, content: Buffer, options: Options.Publish = {}): Promise<void> {
    return this.publish('', queue, content, options);
  }

  /** Resolves when every message published so far is confirmed (or rejected). */
  flush(): Promise<void> {
    const upTo = this.seq;
    // Map keys are in publish order, so the oldest pending message is the first key.
    const done = () => {
      const oldest = this.pending.keys().next().value;
      return oldest === undefined || oldest > upTo;
    };
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        this.off('settled', check);
        resolve();
      };
      this.on('settled', check);
    });
  }

  private send(p: Pending): void {
    const ch = this.channel;
    if (!ch) return; // sent when the next channel opens
    if (p.sentBefore) this.stats.republished++;
    p.sentBefore = true;
    p.channel = ch;
    try {
      ch.publish(p.exchange, p.routingKey, p.content, p.options, (err: Error | null) =>
        this.onConfirm(p, ch, err),
      );
    } catch {
      // The channel is closing under us; detach/attach will resend this one.
      p.channel = undefined;
    }
  }

  private onConfirm(p: Pending, ch: ConfirmChannel, err: Error | null): void {
    if (p.channel !== ch || !this.pending.has(p.seq)) return;
    if (!err) {
      this.settle(p);
      this.stats.confirmed++;
      this.emit('confirm');
      p.resolve();
      return;
    }
    p.channel = undefined;
    // 'channel closed' errors are answered by the resend on the next channel.
    if (err.message !== 'message nacked') return;
    this.stats.nacked++;
    this.emit('nack');
    if (++p.nacks > this.maxNacks) {
      this.settle(p);
      p.reject(new PublishNackedError(p.exchange, p.routingKey));
      return;
    }
    setTimeout(
      () => {
        if (p.channel === undefined && this.pending.has(p.seq)) this.send(p);
      },
      Math.min(100 * 2 ** (p.nacks - 1), 5_000),
    ).unref();
  }

  private settle(p: Pending): void {
    this.pending.delete(p.seq);
    this.emit('settled');
    this.windowWaiters.shift()?.();
  }

  async attach(model: ChannelModel): Promise<void> {
    const ch = await model.createConfirmChannel();
    ch.on('error', (err: Error) => {
      this.logger.warn({ err: err.message }, 'publisher channel error');
      // The broker closes the channel for a publish to a missing exchange: fail those
      // messages (resending them would close the next channel too), keep the rest.
      const missing = /no exchange '([^']*)'/.exec(err.message)?.[1];
      if (missing !== undefined) this.failExchange(missing, err);
    });
    ch.on('close', () => {
      if (this.channel !== ch) return;
      this.detach();
      if (!this.closed) this.broker.reattach(this);
    });
    this.channel = ch;
    let resent = 0;
    // Map iteration is insertion order: messages go out again in the order published.
    for (const p of this.pending.values()) {
      if (p.channel === ch) continue;
      if (p.sentBefore) resent++;
      this.send(p);
    }
    if (resent) {
      this.logger.info({ resent }, 'republished unconfirmed messages');
      this.emit('republish', resent);
    }
  }

  private failExchange(exchange: string, err: Error): void {
    for (const p of [...this.pending.values()]) {
      if (p.exchange !== exchange) continue;
      this.settle(p);
      p.reject(new PublishFailedError(exchange, err.message));
    }
  }

  detach(): void {
    this.channel = undefined;
    for (const p of this.pending.values()) p.channel = undefined;
  }

  /**
   * Waits up to `timeoutMs` for outstanding confirms, then stops. Messages still
   * unconfirmed reject with ClosedError: the caller knows they may not have arrived.
   */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.closed) return;
    await Promise.race([this.flush(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    this.closed = true;
    this.broker.remove(this);
    for (const p of this.pending.values()) p.reject(new ClosedError('publisher'));
    this.pending.clear();
    this.emit('settled');
    for (const w of this.windowWaiters.splice(0)) w();
    const ch = this.channel;
    this.channel = undefined;
    await ch?.close().catch(() => {});
  }
}
