/**
 * Request/reply over a broker (the book's REQ/REP sockets): each client owns an
 * exclusive reply queue; a request carries `replyTo` and a `correlationId`; the reply
 * is matched by that id. A request expires in the queue after the caller's timeout, so
 * a responder that starts late does not work on questions nobody waits for any more.
 */
import { randomUUID } from 'node:crypto';
import { type Logger, silentLogger } from '@fopnp/net';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Attachment, Broker } from './connection.js';
import { ReliableConsumer } from './consumer.js';
import { ClosedError, MalformedMessageError, RpcInterruptedError, RpcTimeoutError } from './errors.js';
import type { Faults } from './faults.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './protocol.js';
import { guardDeliverySize } from './size-guard.js';

interface Call {
  resolve(body: Buffer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface RpcClientOptions {
  /** Prefix of the exclusive reply queue's name (a random suffix is added). */
  replyQueuePrefix: string;
  /** @default 5000 */
  timeoutMs?: number;
  /** Largest reply body read; a bigger one is dropped from its header, unread. @default 65536 */
  maxMessageBytes?: number;
  logger?: Logger;
}

export class RpcClient implements Attachment {
  private channel: Channel | undefined;
  private replyQueue: string | undefined;
  private readonly calls = new Map<string, Call & { queue: string }>();
  /** Calls waiting for this client's channel (reconnecting, or re-opening after a close). */
  private readonly attachWaiters = new Set<() => void>();
  private closed = false;
  private readonly logger: Logger;

  constructor(
    private readonly broker: Broker,
    private readonly options: RpcClientOptions,
  ) {
    this.logger = options.logger ?? silentLogger();
  }

  async start(): Promise<this> {
    await this.broker.add(this);
    return this;
  }

  async attach(model: ChannelModel): Promise<void> {
    const ch = await model.createChannel();
    ch.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'rpc channel error'));
    ch.on('close', () => {
      if (this.channel !== ch) return;
      this.detach();
      if (!this.closed) this.broker.reattach(this);
    });
    // Exclusive + auto-delete: the queue lives exactly as long as this connection.
    const name = `${this.options.replyQueuePrefix}.${randomUUID()}`;
    await ch.assertQueue(name, { exclusive: true, autoDelete: true, durable: false });
    // noAck: a refused reply needs no settling; its call times out as if it never came.
    const limit = this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    guardDeliverySize(ch, limit, (d) =>
      this.logger.warn(
        { bytes: d.size, limit, correlationId: d.properties.correlationId },
        'reply over MAX_MESSAGE_BYTES dropped unread',
      ),
    );
    await ch.consume(
      name,
      (msg) => {
        // null: the reply queue was deleted under us. A new channel declares a new one.
        if (msg === null) ch.close().catch(() => {});
        else this.onReply(msg);
      },
      { noAck: true },
    );
    this.replyQueue = name;
    this.channel = ch;
    for (const wake of this.attachWaiters) wake();
  }

  detach(): void {
    this.channel = undefined;
    this.replyQueue = undefined;
    for (const [id, call] of this.calls) {
      clearTimeout(call.timer);
      this.calls.delete(id);
      call.reject(new RpcInterruptedError(call.queue));
    }
  }

  private onReply(msg: ConsumeMessage): void {
    const id = msg.properties.correlationId as string | undefined;
    const call = id ? this.calls.get(id) : undefined;
    if (!call) return; // a late reply to a call that already timed out
    clearTimeout(call.timer);
    this.calls.delete(id!);
    call.resolve(msg.content);
  }

  /** Sends `body` to `queue` and resolves with the reply's body. */
  async call(queue: string, body: Buffer, timeoutMs = this.options.timeoutMs ?? 5_000): Promise<Buffer> {
    if (this.closed) throw new ClosedError('rpc client');
    const deadline = Date.now() + timeoutMs;
    // Wait for our own channel, not just the connection: after a channel closes the
    // connection is still up, and waiting for it alone failed the call at once with a
    // "no reply within N ms" that had waited no time at all.
    if (!this.channel) await this.whenAttached(timeoutMs);
    const ch = this.channel;
    const replyTo = this.replyQueue;
    const left = deadline - Date.now();
    if (!ch || !replyTo || left <= 0) throw new RpcTimeoutError(queue, timeoutMs);
    const correlationId = randomUUID();
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(correlationId);
        reject(new RpcTimeoutError(queue, timeoutMs));
      }, left);
      this.calls.set(correlationId, { resolve, reject, timer, queue });
      try {
        ch.sendToQueue(queue, body, { replyTo, correlationId, expiration: String(Math.ceil(left)) });
      } catch (err) {
        clearTimeout(timer);
        this.calls.delete(correlationId);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  private whenAttached(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.attachWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.attachWaiters.add(wake);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.broker.remove(this);
    for (const wake of this.attachWaiters) wake();
    this.detachCalls();
    const ch = this.channel;
    this.channel = undefined;
    await ch?.close().catch(() => {});
  }

  private detachCalls(): void {
    for (const call of this.calls.values()) {
      clearTimeout(call.timer);
      call.reject(new ClosedError('rpc client'));
    }
    this.calls.clear();
  }
}

export interface RpcServerOptions {
  queue: string;
  /** Computes the reply. A MalformedMessageError becomes an error reply, never a crash. */
  handler: (body: Buffer) => Promise<Buffer> | Buffer;
  /** Builds the reply sent for a request the handler rejected as malformed. */
  errorReply: (err: MalformedMessageError) => Buffer;
  prefetch?: number;
  /** Largest request body read; a bigger one is refused unread and dropped. @default 65536 */
  maxMessageBytes?: number;
  /** Slow or faulty on purpose (LATENCY_MS, FAIL_RATE). */
  faults?: Faults;
  logger?: Logger;
}

/** Answers requests on a queue; acks each request after its reply is sent. */
export function createRpcServer(broker: Broker, options: RpcServerOptions): ReliableConsumer {
  return new ReliableConsumer(broker, {
    queue: options.queue,
    prefetch: options.prefetch ?? 64,
    maxRetries: 0,
    ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    async handler(msg, ch) {
      const { replyTo, correlationId } = msg.properties;
      let reply: Buffer;
      try {
        reply = await options.handler(msg.content);
      } catch (err) {
        if (!(err instanceof MalformedMessageError)) throw err;
        reply = options.errorReply(err);
      }
      // No replyTo: a one-way message to an RPC queue; nothing to answer.
      if (replyTo) ch.sendToQueue(replyTo, reply, { correlationId });
    },
  });
}
