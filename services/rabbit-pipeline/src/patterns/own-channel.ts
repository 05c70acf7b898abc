/**
 * An attachment that owns one channel and follows the broker: a fresh channel on every
 * connect, a new one (after a backoff) when the broker closes it under a live connection.
 * Subclasses say what to do on the channel in `open`.
 */
import type { Logger } from '@fopnp/net';
import type { Channel, ChannelModel } from 'amqplib';
import type { Attachment, Broker } from '../connection.js';

export abstract class OwnChannel implements Attachment {
  protected channel: Channel | undefined;
  protected closed = false;

  constructor(
    protected readonly broker: Broker,
    protected readonly logger: Logger,
  ) {}

  /** Sets up consuming on the new channel; throwing fails the attach. */
  protected abstract open(ch: Channel): Promise<void>;

  async start(): Promise<this> {
    await this.broker.add(this);
    return this;
  }

  async attach(model: ChannelModel): Promise<void> {
    if (this.closed) return;
    const ch = await model.createChannel();
    ch.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'channel error'));
    ch.on('close', () => {
      if (this.channel !== ch) return;
      this.detach();
      if (!this.closed) this.broker.reattach(this);
    });
    this.channel = ch;
    try {
      await this.open(ch);
    } catch (err) {
      this.channel = undefined;
      await ch.close().catch(() => {});
      throw err;
    }
  }

  detach(): void {
    this.channel = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.broker.remove(this);
    const ch = this.channel;
    this.channel = undefined;
    await ch?.close().catch(() => {});
  }
}
