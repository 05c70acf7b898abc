/**
 * Consuming that loses nothing and never crashes on one bad message: manual acks sent
 * only after the handler finished, a prefetch limit, a bounded number of retries, then
 * the dead-letter queue. A MalformedMessageError skips the retries (parsing again will
 * not help). Retries are republished copies carrying a retry-count header, confirmed
 * before the original is acked — so a crash in between duplicates, never drops.
 */
import { EventEmitter } from 'node:events';
import { type Logger, silentLogger } from '@fopnp/net';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { AckBatcher } from './acks.js';
import type { Attachment, Broker } from './connection.js';
import { MalformedMessageError, MessageTooLargeError } from './errors.js';
import { applyFaults, type Faults, hasFaults } from './faults.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './protocol.js';
import type { ReliablePublisher } from './publisher.js';
import { guardDeliverySize, type OversizeDelivery, refusedMessage } from './size-guard.js';

/** Header that counts how often a message was retried. */
export const RETRY_HEADER = 'x-fopnp-retries';
/** Header that carries the last error of a retried or dead-lettered message. */
export const ERROR_HEADER = 'x-fopnp-error';
/** Header naming the queue a dead letter came from. */
export const DEAD_QUEUE_HEADER = 'x-fopnp-dead-queue';

export type Outcome = 'ack' | 'retry' | 'dead-letter';

export interface ConsumerOptions {
  queue: string;
  /** Does the work; resolving acks the message, throwing retries or dead-letters it. */
  handler: (msg: ConsumeMessage, channel: Channel) => Promise<void> | void;
  /** Needed for retries (republishing); without it failures dead-letter at once. */
  publisher?: ReliablePublisher;
  /** @default 64 */
  prefetch?: number;
  /** @default 3 */
  maxRetries?: number;
  /**
   * Largest body read. A bigger delivery is refused from its content header, never
   * assembled, and nacked without requeue: the queue's own x-dead-letter-exchange (the
   * pipeline's DLX) keeps it, or the broker drops it from a queue without one.
   * @default DEFAULT_MAX_MESSAGE_BYTES (65536)
   */
  maxMessageBytes?: number;
  /**
   * Exchange for dead letters, published with the error in a header. Without it (or
   * without a publisher) a dead letter is nacked and the queue's own
   * x-dead-letter-exchange argument, if any, decides where it goes.
   */
  deadLetterExchange?: string;
  /** Slow or faulty on purpose (LATENCY_MS, FAIL_RATE), before the handler. */
  faults?: Faults;
  logger?: Logger;
}

/**
 * Events: 'outcome' (outcome, msg, error?) after each message is settled; 'oversize'
 * (size) for each delivery refused unread (its outcome is a dead-letter).
 */
export class ReliableConsumer extends EventEmitter implements Attachment {
  private channel: Channel | undefined;
  private acks: AckBatcher | undefined;
  private consumerTag: string | undefined;
  private closed = false;
  private active = 0;
  private readonly logger: Logger;
  readonly stats = { acked: 0, retried: 0, deadLettered: 0, oversize: 0 };
  /** Ack frames sent and the messages they covered: coalescing at work. */
  readonly ackStats = { frames: 0, messages: 0 };

  constructor(
    private readonly broker: Broker,
    private readonly options: ConsumerOptions,
  ) {
    super();
    this.logger = (options.logger ?? silentLogger()).child({ queue: options.queue });
  }

  async start(): Promise<this> {
    await this.broker.add(this);
    return this;
  }

  /** Deliveries this consumer holds and has not acked yet (at most the prefetch). */
  get unacked(): number {
    return this.acks?.pending ?? 0;
  }

  async attach(model: ChannelModel): Promise<void> {
    if (this.closed) return;
    const ch = await model.createChannel();
    ch.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'consumer channel error'));
    ch.on('close', () => {
      if (this.channel !== ch) return;
      this.detach();
      if (!this.closed) this.broker.reattach(this);
    });
    await ch.prefetch(this.options.prefetch ?? 64);
    const acks = new AckBatcher(ch, this.ackStats);
    guardDeliverySize(ch, this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, (d) =>
      this.refuse(ch, acks, d),
    );
    this.channel = ch;
    this.acks = acks;
    const { consumerTag } = await ch.consume(this.options.queue, (msg) => {
      if (msg === null) {
        // The broker cancelled us (the queue was deleted) but left the channel open: close
        // it, so its 'close' handler re-attaches with backoff once the queue exists again.
        // Without this the consumer sat idle for good, however many messages arrived.
        this.logger.warn('consumer cancelled by the broker (queue deleted?): consuming again');
        ch.close().catch(() => {});
        return;
      }
      acks.track(msg);
      void this.handle(ch, msg);
    });
    this.consumerTag = consumerTag;
  }

  /** A delivery over the limit, its body never read: dead-lettered by the broker (nack, no requeue). */
  private refuse(ch: Channel, acks: AckBatcher, d: OversizeDelivery): void {
    const msg = refusedMessage(d);
    acks.track(msg);
    const err = new MessageTooLargeError(
      this.options.queue,
      d.size,
      this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    );
    this.logger.warn({ bytes: d.size, limit: err.limit, messageId: d.properties.messageId }, err.message);
    this.stats.oversize++;
    this.emit('oversize', d.size);
    this.settle(ch, msg, 'dead-letter', err, 'nack');
  }

  detach(): void {
    // Unacked deliveries on the dead channel go back to the queue by themselves.
    this.channel = undefined;
    this.acks = undefined;
  }

  private async handle(ch: Channel, msg: ConsumeMessage): Promise<void> {
    this.active++;
    try {
      if (hasFaults(this.options.faults)) await applyFaults(this.options.faults);
      await this.options.handler(msg, ch);
      this.settle(ch, msg, 'ack');
    } catch (err) {
      await this.fail(ch, msg, err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.active--;
      if (this.active === 0) this.emit('idle');
    }
  }

  private async fail(ch: Channel, msg: ConsumeMessage, err: Error): Promise<void> {
    // The header comes from the wire: a negative or non-numeric count must not buy a
    // message more retries than maxRetries (-1e9 used to mean a billion of them).
    const header = Number(msg.properties.headers?.[RETRY_HEADER] ?? 0);
    const retries = Number.isInteger(header) && header > 0 ? header : 0;
    const max = this.options.maxRetries ?? 3;
    const publisher = this.options.publisher;
    if (!(err instanceof MalformedMessageError) && publisher && retries < max && !this.closed) {
      try {
        await publisher.sendToQueue(this.options.queue, msg.content, {
          ...msg.properties,
          headers: { ...msg.properties.headers, [RETRY_HEADER]: retries + 1, [ERROR_HEADER]: err.message },
        });
        this.logger.debug({ err: err.message, retry: retries + 1 }, 'handler failed: retrying');
        this.settle(ch, msg, 'retry', err);
        return;
      } catch (publishErr) {
        // Could not republish: give the original back to the queue to be tried again.
        this.logger.warn({ err: (publishErr as Error).message }, 'could not republish for retry');
        this.settle(ch, msg, 'retry', err, 'requeue');
        return;
      }
    }
    this.logger.warn({ err: err.message, retries }, 'dead-lettering message');
    const dlx = this.options.deadLetterExchange;
    if (dlx && publisher) {
      try {
        await publisher.publish(dlx, this.options.queue, msg.content, {
          ...msg.properties,
          headers: {
            ...msg.properties.headers,
            [ERROR_HEADER]: err.message,
            [DEAD_QUEUE_HEADER]: this.options.queue,
          },
        });
        // Confirmed in the dead-letter queue: the original can go.
        this.settle(ch, msg, 'dead-letter', err, 'ack');
        return;
      } catch (publishErr) {
        this.logger.warn({ err: (publishErr as Error).message }, 'could not publish dead letter');
      }
    }
    this.settle(ch, msg, 'dead-letter', err);
  }

  private settle(
    ch: Channel,
    msg: ConsumeMessage,
    outcome: Outcome,
    err?: Error,
    how: 'ack' | 'nack' | 'requeue' = outcome === 'dead-letter' ? 'nack' : 'ack',
  ): void {
    // A delivery tag belongs to its channel: after a reconnect the broker redelivers it.
    const acks = this.acks;
    if (this.channel !== ch || !acks) return;
    try {
      if (how === 'ack') acks.ack(msg);
      else acks.nack(msg, how === 'requeue');
    } catch {
      return; // channel closing: the message is redelivered
    }
    if (outcome === 'ack') this.stats.acked++;
    else if (outcome === 'retry') this.stats.retried++;
    else this.stats.deadLettered++;
    this.emit('outcome', outcome, msg, err);
  }

  /** Stops taking deliveries, lets running handlers finish, closes the channel. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.broker.remove(this);
    const ch = this.channel;
    if (!ch) return;
    if (this.consumerTag) await ch.cancel(this.consumerTag).catch(() => {});
    if (this.active > 0) {
      await Promise.race([
        new Promise((r) => this.once('idle', r)),
        new Promise((r) => setTimeout(r, timeoutMs).unref()),
      ]);
    }
    try {
      this.acks?.flush();
    } catch {
      // closing anyway
    }
    this.channel = undefined;
    this.acks = undefined;
    await ch.close().catch(() => {});
  }
}
