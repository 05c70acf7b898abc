/**
 * Looking into queues without changing them: the dead-letter queue's messages with why
 * they died. Messages are fetched unacknowledged and go back when the channel closes.
 */
import type { Channel, GetMessage } from 'amqplib';
import { DEAD_QUEUE_HEADER, ERROR_HEADER, RETRY_HEADER } from './consumer.js';

export interface DeadLetter {
  /** Queue the message died in. */
  queue: string;
  /** 'failed' (our consumer gave up), or RabbitMQ's x-death reason: rejected, expired, maxlen. */
  reason: string;
  retries: number;
  error: string | undefined;
  messageId: string | undefined;
  body: string;
}

interface XDeath {
  queue?: string;
  reason?: string;
}

export function describeDeadLetter(msg: GetMessage): DeadLetter {
  const headers = msg.properties.headers ?? {};
  const death = (headers['x-death'] as XDeath[] | undefined)?.[0];
  const body = msg.content.toString('utf8');
  return {
    queue: headers[DEAD_QUEUE_HEADER] ?? death?.queue ?? '?',
    reason: death?.reason ?? (headers[ERROR_HEADER] ? 'failed' : '?'),
    retries: Number(headers[RETRY_HEADER] ?? 0),
    error: headers[ERROR_HEADER] as string | undefined,
    messageId: msg.properties.messageId as string | undefined,
    body: body.length > 80 ? `${body.slice(0, 80)}…` : body,
  };
}

/** Up to `max` messages of a queue, left in place (the caller's channel is closed after). */
export async function peek(ch: Channel, queue: string, max = 20): Promise<GetMessage[]> {
  const out: GetMessage[] = [];
  while (out.length < max) {
    const msg = await ch.get(queue, { noAck: false });
    if (!msg) break;
    out.push(msg);
  }
  return out;
}
