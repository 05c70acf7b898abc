/**
 * `rabbit-pipeline tap EXCHANGE [PATTERN]`: every message that goes through an exchange,
 * one line each, taken from no one. The tap binds a queue of its own — server-named,
 * exclusive, auto-deleted, so it lives exactly as long as the tap's connection — and the
 * exchange copies each matching message into it beside the queues that do the work.
 * After a reconnect the tap binds a new queue: what passed during the outage is not seen.
 */
import { InvalidConfigError, type Logger, silentLogger } from '@fopnp/net';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Broker } from '../connection.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../protocol.js';
import { guardDeliverySize, refusedMessage } from '../size-guard.js';
import { OwnChannel } from './own-channel.js';

export interface TapOptions {
  exchange: string;
  /** Binding pattern: `#` (everything) on a topic exchange; ignored by a fanout; the key on a direct one. @default '#' */
  pattern?: string;
  /**
   * Called for every message; one over maxMessageBytes comes with an empty body and
   * `oversize` set to the size its header declared (its body is never read).
   */
  onMessage: (msg: ConsumeMessage, oversize?: number) => void;
  /** Largest body read; a bigger message is shown from its header only. @default 65536 */
  maxMessageBytes?: number;
  /** Called with the tap queue's name each time it is bound (first time and after reconnects). */
  onBound?: (queue: string) => void;
  logger?: Logger;
}

export class Tap extends OwnChannel {
  seen = 0;

  constructor(
    broker: Broker,
    private readonly options: TapOptions,
  ) {
    // The default exchange routes by queue name and takes no bindings: nothing to tap.
    if (options.exchange === '') {
      throw new InvalidConfigError(
        'exchange',
        'the default exchange ("") cannot be bound, so it cannot be tapped: name an exchange',
      );
    }
    super(broker, (options.logger ?? silentLogger()).child({ tap: options.exchange }));
  }

  protected async open(ch: Channel): Promise<void> {
    // Passive: a missing exchange is the broker's 404 in one line, not a new exchange.
    await ch.checkExchange(this.options.exchange);
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await ch.bindQueue(queue, this.options.exchange, this.options.pattern ?? '#');
    // noAck: a refused copy needs no settling; it is shown from its header.
    guardDeliverySize(ch, this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, (d) => {
      this.seen++;
      this.options.onMessage(refusedMessage(d), d.size);
    });
    // noAck: the copies are the tap's own, nobody else waits for them.
    await ch.consume(
      queue,
      (msg) => {
        if (msg === null) {
          ch.close().catch(() => {});
          return;
        }
        this.seen++;
        this.options.onMessage(msg);
      },
      { noAck: true },
    );
    this.options.onBound?.(queue);
  }
}

/** One line a message: time, exchange, routing key, size, id, retries, body (cut at 80). */
export function formatTapLine(msg: ConsumeMessage, now = new Date(), oversize?: number): string {
  const headers = msg.properties.headers ?? {};
  const body = msg.content.toString('utf8');
  const shown =
    oversize !== undefined
      ? '(not read: over MAX_MESSAGE_BYTES)'
      : body.length > 80
        ? `${body.slice(0, 80)}…`
        : body;
  const parts = [
    now.toISOString().slice(11, 23),
    msg.fields.exchange || '(default)',
    msg.fields.routingKey || '(no key)',
    `${oversize ?? msg.content.length}B`,
  ];
  if (msg.properties.messageId) parts.push(`id=${msg.properties.messageId}`);
  if (msg.properties.correlationId) parts.push(`corr=${msg.properties.correlationId}`);
  if (headers['x-fopnp-retries'] !== undefined) parts.push(`retries=${headers['x-fopnp-retries']}`);
  parts.push(JSON.stringify(shown));
  return parts.join('\t');
}
