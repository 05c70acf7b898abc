/**
 * RabbitMQ as it really is: exchanges, queues, bindings, consumers and connections from
 * the management HTTP API, merged with rabbit-pipeline's declaration of its topology.
 * The management stats are sampled by the broker (every 5 s by default), so the ready
 * depth and consumer count of each pipeline queue are also read live, by a passive
 * declare over AMQP, which answers from the queue itself.
 */

import { type Logger, TimeoutError, withTimeout } from '@fopnp/net';
import { pipelineNames, pipelineTopology } from '@fopnp/rabbit-pipeline';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import type { BindingView, ExchangeView, QueueView, RabbitView, Trend } from '../snapshot.js';
import { describeError, getJson, type Target, targetOf } from './http.js';

interface MgmtRate {
  rate?: number;
}
interface MgmtExchange {
  name: string;
  type: string;
  message_stats?: { publish_in?: number; publish_in_details?: MgmtRate };
}
interface MgmtQueue {
  name: string;
  type?: string;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
  arguments?: Record<string, unknown>;
  message_stats?: {
    ack?: number;
    redeliver?: number;
    publish_details?: MgmtRate;
    deliver_get_details?: MgmtRate;
    ack_details?: MgmtRate;
  };
}
interface MgmtBinding {
  source: string;
  destination: string;
  destination_type: string;
  routing_key: string;
}
interface MgmtConsumer {
  queue: { name: string };
  consumer_tag: string;
  prefetch_count: number;
  channel_details?: { connection_name?: string };
}
interface MgmtConnection {
  name: string;
  peer_host?: string;
  peer_port?: number;
  channels?: number;
  state?: string;
  client_properties?: { connection_name?: string };
}

const TREND_WINDOW_MS = 5_000;
const OVERVIEW_EVERY_MS = 60_000;
/** Only the fields the lab shows: the broker encodes less JSON for every poll. */
const QUEUE_COLUMNS = [
  'name',
  'type',
  'arguments',
  'messages_ready',
  'messages_unacknowledged',
  'consumers',
  'message_stats.publish_details.rate',
  'message_stats.deliver_get_details.rate',
  'message_stats.ack_details.rate',
  'message_stats.ack',
  'message_stats.redeliver',
].join(',');
const EXCHANGE_COLUMNS = [
  'name',
  'type',
  'message_stats.publish_in_details.rate',
  'message_stats.publish_in',
].join(',');
/** What the malformed-message action publishes: not 64 binary digits. */
export const MALFORMED_POINT = 'not a point';

export class RabbitSource {
  private readonly mgmt: Target;
  private conn: ChannelModel | undefined;
  private channel: Channel | undefined;
  private connecting: Promise<void> | undefined;
  /** (time, ready) per queue over the trend window. */
  private readonly depthHistory = new Map<string, [number, number][]>();
  private version: { at: number; value: string | null } | undefined;

  constructor(
    managementUrl: string,
    private readonly amqpUrl: string,
    readonly prefix: string,
    private readonly logger: Logger,
    private readonly timeoutMs = 2_000,
  ) {
    this.mgmt = targetOf(managementUrl);
  }

  /**
   * The broker's version, asked once a minute: /api/overview is the management API's most
   * expensive call (it aggregates every object), and the version does not change.
   */
  private async overview(): Promise<string | null> {
    if (this.version && Date.now() - this.version.at < OVERVIEW_EVERY_MS) return this.version.value;
    const ov = await getJson<{ rabbitmq_version?: string }>(this.mgmt, '/api/overview', this.timeoutMs);
    this.version = { at: Date.now(), value: ov.rabbitmq_version ?? null };
    return this.version.value;
  }

  private owns(name: string): boolean {
    return name.startsWith(`${this.prefix}.`);
  }

  async poll(): Promise<RabbitView> {
    const declared = pipelineTopology(this.prefix);
    let exchanges: MgmtExchange[];
    let queues: MgmtQueue[];
    let bindings: MgmtBinding[];
    let consumers: MgmtConsumer[];
    let connections: MgmtConnection[];
    let version: string | null = null;
    try {
      const [ov, x, q, b, c, conns] = await Promise.all([
        this.overview(),
        getJson<MgmtExchange[]>(this.mgmt, `/api/exchanges/%2F?columns=${EXCHANGE_COLUMNS}`, this.timeoutMs),
        getJson<MgmtQueue[]>(this.mgmt, `/api/queues/%2F?columns=${QUEUE_COLUMNS}`, this.timeoutMs),
        getJson<MgmtBinding[]>(this.mgmt, '/api/bindings/%2F', this.timeoutMs),
        getJson<MgmtConsumer[]>(this.mgmt, '/api/consumers/%2F', this.timeoutMs),
        getJson<MgmtConnection[]>(this.mgmt, '/api/connections', this.timeoutMs),
      ]);
      version = ov;
      [exchanges, queues, bindings, consumers, connections] = [x, q, b, c, conns];
    } catch (err) {
      return this.down(declared, `management API: ${describeError(err)}`);
    }

    const live = await this.liveDepths(queues.filter((q) => this.owns(q.name)).map((q) => q.name));
    const now = Date.now();
    const exchangeViews: ExchangeView[] = [];
    const seenX = new Map(exchanges.map((x) => [x.name, x]));
    for (const d of declared.exchanges) {
      const x = seenX.get(d.name);
      exchangeViews.push({
        name: d.name,
        type: x?.type ?? d.type,
        declared: true,
        present: Boolean(x),
        publishInRate: x?.message_stats?.publish_in_details?.rate ?? null,
        publishedIn: x ? (x.message_stats?.publish_in ?? 0) : null,
      });
    }
    for (const x of exchanges) {
      if (!this.owns(x.name) || declared.exchanges.some((d) => d.name === x.name)) continue;
      exchangeViews.push({
        name: x.name,
        type: x.type,
        declared: false,
        present: true,
        publishInRate: x.message_stats?.publish_in_details?.rate ?? null,
        publishedIn: x.message_stats?.publish_in ?? 0,
      });
    }

    const seenQ = new Map(queues.map((q) => [q.name, q]));
    const names = [
      ...declared.queues.map((q) => q.name),
      ...queues.map((q) => q.name).filter((n) => this.owns(n) && !declared.queues.some((d) => d.name === n)),
    ];
    const queueViews: QueueView[] = names.map((name) => {
      const q = seenQ.get(name);
      const l = live.get(name);
      const ready = l?.ready ?? q?.messages_ready ?? null;
      return {
        name,
        declared: declared.queues.some((d) => d.name === name),
        present: Boolean(q),
        ready,
        unacked: q?.messages_unacknowledged ?? null,
        consumers: l?.consumers ?? q?.consumers ?? null,
        live: Boolean(l),
        publishRate: q?.message_stats?.publish_details?.rate ?? null,
        deliverRate: q?.message_stats?.deliver_get_details?.rate ?? null,
        ackRate: q?.message_stats?.ack_details?.rate ?? null,
        acked: q ? (q.message_stats?.ack ?? 0) : null,
        redelivered: q ? (q.message_stats?.redeliver ?? 0) : null,
        trend: this.trend(name, ready, now),
        type: q?.type ?? null,
        deadLetterExchange: (q?.arguments?.['x-dead-letter-exchange'] as string | undefined) ?? null,
      };
    });

    const bindingViews: BindingView[] = bindings
      .filter((b) => b.destination_type === 'queue' && b.source !== '' && this.owns(b.destination))
      .map((b) => ({
        source: b.source,
        destination: b.destination,
        routingKey: b.routing_key,
        declared: declared.bindings.some(
          (d) => d.exchange === b.source && d.queue === b.destination && d.pattern === b.routing_key,
        ),
      }));
    // A declared binding missing on the broker is shown too (declared, not present).
    for (const d of declared.bindings) {
      if (
        !bindingViews.some(
          (b) => b.source === d.exchange && b.destination === d.queue && b.routingKey === d.pattern,
        )
      )
        bindingViews.push({
          source: d.exchange,
          destination: d.queue,
          routingKey: d.pattern,
          declared: true,
        });
    }

    const ours = consumers.filter((c) => this.owns(c.queue.name));
    const connNames = new Set(ours.map((c) => c.channel_details?.connection_name ?? ''));
    return {
      health: 'up',
      error: null,
      version,
      exchanges: exchangeViews,
      queues: queueViews,
      bindings: bindingViews,
      consumers: ours.map((c) => ({
        queue: c.queue.name,
        tag: c.consumer_tag,
        connection: c.channel_details?.connection_name ?? '',
        prefetch: c.prefetch_count,
      })),
      connections: connections
        .filter((c) => connNames.has(c.name))
        .map((c) => ({
          name: c.name,
          peer: `${c.peer_host ?? '?'}:${c.peer_port ?? '?'}`,
          clientName: c.client_properties?.connection_name ?? null,
          channels: c.channels ?? 0,
          state: c.state ?? 'unknown',
        })),
    };
  }

  private down(declared: ReturnType<typeof pipelineTopology>, error: string): RabbitView {
    const now = Date.now();
    return {
      health: 'down',
      error,
      version: null,
      exchanges: declared.exchanges.map((x) => ({
        name: x.name,
        type: x.type,
        declared: true,
        present: false,
        publishInRate: null,
        publishedIn: null,
      })),
      queues: declared.queues.map((q) => ({
        name: q.name,
        declared: true,
        present: false,
        ready: null,
        unacked: null,
        consumers: null,
        live: false,
        publishRate: null,
        deliverRate: null,
        ackRate: null,
        acked: null,
        redelivered: null,
        trend: this.trend(q.name, null, now),
        type: null,
        deadLetterExchange: null,
      })),
      bindings: declared.bindings.map((b) => ({
        source: b.exchange,
        destination: b.queue,
        routingKey: b.pattern,
        declared: true,
      })),
      consumers: [],
      connections: [],
    };
  }

  private trend(name: string, ready: number | null, now: number): Trend {
    const h = this.depthHistory.get(name) ?? [];
    if (ready === null) {
      this.depthHistory.delete(name);
      return 'steady';
    }
    h.push([now, ready]);
    while (h.length > 2 && h[0]![0] < now - TREND_WINDOW_MS) h.shift();
    this.depthHistory.set(name, h);
    const delta = ready - h[0]![1];
    return delta > 0 ? 'growing' : delta < 0 ? 'draining' : 'steady';
  }

  /** Passive declares over one AMQP channel; a missing queue closes the channel, so reopen it. */
  private async liveDepths(names: string[]): Promise<Map<string, { ready: number; consumers: number }>> {
    const out = new Map<string, { ready: number; consumers: number }>();
    const ch = await this.ensureChannel().catch(() => undefined);
    if (!ch) return out;
    for (const name of names) {
      try {
        // A broker that stops answering (blocked, partitioned, a frozen link) would hold the
        // poll, and with it the page's updates and the lab's shutdown, for ever: amqplib has
        // no deadline of its own on a channel's calls.
        const ok = await withTimeout(ch.checkQueue(name), this.timeoutMs, `passive declare of ${name}`);
        out.set(name, { ready: ok.messageCount, consumers: ok.consumerCount });
      } catch (err) {
        if (err instanceof TimeoutError) this.abandonConnection();
        else this.channel = undefined; // the broker closed it (queue gone); the rest use the stats
        break;
      }
    }
    return out;
  }

  /** Drops a connection that stopped answering without waiting for its close handshake. */
  private abandonConnection(): void {
    const conn = this.conn;
    this.conn = undefined;
    this.channel = undefined;
    if (conn) destroySocket(conn);
  }

  private async ensureChannel(): Promise<Channel | undefined> {
    if (this.channel) return this.channel;
    this.connecting ??= (async () => {
      try {
        if (!this.conn) {
          const conn = await amqp.connect(this.amqpUrl, {
            timeout: this.timeoutMs,
            clientProperties: { connection_name: 'topology-lab (passive declares)' },
          });
          conn.on('error', () => {});
          conn.on('close', () => {
            this.conn = undefined;
            this.channel = undefined;
          });
          this.conn = conn;
        }
        const ch = await withTimeout(this.conn.createChannel(), this.timeoutMs, 'opening an AMQP channel');
        ch.on('error', () => {});
        ch.on('close', () => {
          if (this.channel === ch) this.channel = undefined;
        });
        this.channel = ch;
      } catch (err) {
        this.logger.debug({ err: describeError(err) }, 'AMQP connection for live depths failed');
      } finally {
        this.connecting = undefined;
      }
    })();
    await this.connecting;
    return this.channel;
  }

  /**
   * The lab's one broker action: a point no judge can parse ("not a point"), published
   * to the pipeline's exchange with a judge's routing key. The judge rejects it and it
   * lands in the dead-letter queue, where it can be read. The body is fixed: nothing a
   * caller sends reaches the broker.
   */
  async publishMalformed(): Promise<string> {
    const names = pipelineNames(this.prefix);
    const ch = await this.ensureChannel();
    if (!this.conn || !ch) throw new Error('no AMQP connection to publish on');
    const confirm = await this.conn.createConfirmChannel();
    try {
      confirm.on('error', () => {});
      await new Promise<void>((resolve, reject) => {
        confirm.publish(names.points, '0.1', Buffer.from(MALFORMED_POINT), { persistent: true }, (err) =>
          err ? reject(err) : resolve(),
        );
      });
    } finally {
      await confirm.close().catch(() => {});
    }
    return `published "${MALFORMED_POINT}" to ${names.points} (key 0.1), confirmed by the broker; expect it in ${names.deadLetters}`;
  }

  /**
   * Closes, through the management API, the AMQP connection of the first consumer of
   * `queue` (the lab picks it from what the broker reports; a caller names no connection).
   * The role sees its connection closed by the broker and reconnects.
   */
  async closeConnectionOf(queue: string): Promise<string> {
    const consumers = await getJson<MgmtConsumer[]>(this.mgmt, '/api/consumers/%2F', this.timeoutMs);
    const c = consumers.find((x) => x.queue.name === queue && x.channel_details?.connection_name);
    if (!c) throw new Error(`no consumer on ${queue} to disconnect`);
    const name = c.channel_details!.connection_name!;
    const res = await fetch(`${this.mgmt.url}/api/connections/${encodeURIComponent(name)}`, {
      method: 'DELETE',
      headers: { ...this.mgmt.headers, 'x-reason': 'closed by topology-lab (an experiment)' },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.status !== 204 && res.status !== 200) throw new Error(`DELETE connection: HTTP ${res.status}`);
    return `closed ${name} (consumer of ${queue}); its role reconnects`;
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = undefined;
    this.channel = undefined;
    // A graceful close needs the broker's close-ok; one that does not come must not hold the
    // lab's shutdown past its deadline.
    await withTimeout(c?.close() ?? Promise.resolve(), this.timeoutMs, 'closing the AMQP connection').catch(
      () => c && destroySocket(c),
    );
  }
}

/**
 * Cuts an amqplib connection's socket. amqplib keeps it as `connection.stream` without
 * declaring it; a connection whose broker stopped answering can only be let go this way.
 */
function destroySocket(conn: ChannelModel): void {
  (conn.connection as unknown as { stream?: { destroy(): void } }).stream?.destroy();
}
