/**
 * queue.publish: a confirmed publish to a configurable exchange on RabbitMQ (book ch. 8's
 * message queues, over AMQP 0-9-1 with amqplib). One connection and one confirm channel
 * are opened on first use and kept; if the broker closes them, the next call opens new
 * ones (the circuit breaker keeps a dead broker from being hammered meanwhile).
 */
import type { Logger } from '@fopnp/net';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Downstream } from './downstream.js';

export interface PublisherOptions {
  /** amqp://user:pass@host:port/vhost */
  url: string;
  exchange: string;
  /** @default 'topic' */
  exchangeType?: 'topic' | 'direct' | 'fanout';
}

export interface PublishResult {
  exchange: string;
  routingKey: string;
  bytes: number;
}

/**
 * The broker's address as the gateway names its downstreams (gateway.status, fault
 * messages): "amqp://guest:guest@host:5672/vh" → "host:5672/vh", no credentials at all
 * (a log line that wants the whole URL uses the kit's redactUrl).
 */
export function amqpTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'amqps:' ? '5671' : '5672')}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return 'an unparsable AMQP_URL';
  }
}

export class AmqpPublisher {
  private channel: Promise<{ model: ChannelModel; channel: ConfirmChannel }> | undefined;
  private closed = false;

  constructor(
    private readonly down: Downstream,
    private readonly options: PublisherOptions,
    private readonly logger?: Logger,
  ) {}

  private open(signal: AbortSignal): Promise<{ model: ChannelModel; channel: ConfirmChannel }> {
    const opening = (async () => {
      const model = await amqp.connect(this.options.url, { timeout: this.down.timeoutMs });
      const forget = (err?: Error) => {
        if (this.channel === opening) this.channel = undefined;
        if (err) this.logger?.warn({ err: err.message }, 'AMQP connection lost; the next publish reconnects');
      };
      model.on('error', forget);
      model.on('close', forget);
      try {
        const channel = await model.createConfirmChannel();
        channel.on('error', forget);
        channel.on('close', () => {
          forget();
          // The next publish opens a connection of its own; this one, now without a
          // channel (the broker closed it: a deleted exchange, say), would stay open for good.
          void model.close().catch(() => {});
        });
        await channel.assertExchange(this.options.exchange, this.options.exchangeType ?? 'topic', {
          durable: true,
        });
        return { model, channel };
      } catch (err) {
        await model.close().catch(() => {});
        throw err;
      }
    })();
    this.channel = opening;
    opening.catch(() => {
      if (this.channel === opening) this.channel = undefined;
    });
    // A connect that outlives the call's deadline must not leak a connection later.
    signal.addEventListener(
      'abort',
      () => {
        opening.then(
          ({ model }) => {
            if (this.channel !== opening || this.closed) void model.close().catch(() => {});
          },
          () => {},
        );
      },
      { once: true },
    );
    return opening;
  }

  /** Publishes persistently and resolves once the broker confirms it. */
  publish(routingKey: string, body: Buffer, contentType: string): Promise<PublishResult> {
    return this.down.call('queue.publish', async (signal) => {
      const { channel } = await (this.channel ?? this.open(signal));
      await new Promise<void>((resolve, reject) => {
        const onClose = () => reject(new Error('channel closed before the broker confirmed the message'));
        channel.once('close', onClose);
        channel.publish(
          this.options.exchange,
          routingKey,
          body,
          { persistent: true, contentType, appId: 'rpc-gateway' },
          (err) => {
            channel.off('close', onClose);
            if (err)
              reject(err instanceof Error ? err : new Error('the broker refused (nacked) the message'));
            else resolve();
          },
        );
      });
      return { exchange: this.options.exchange, routingKey, bytes: body.length };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.channel;
    this.channel = undefined;
    if (!pending) return;
    try {
      const { model } = await pending;
      await model.close();
    } catch {
      // already gone
    }
  }
}
