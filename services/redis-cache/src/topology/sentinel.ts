/**
 * Redis Sentinel: one master, its replicas, and sentinel processes that watch them and
 * promote a replica when the master stops answering. The client asks the sentinels where the
 * master is (ioredis' sentinel support), follows a promotion by itself (it reconnects through
 * them when the old master's connection drops, or when a demoted master answers READONLY),
 * and the cache fails open in between. Replication is asynchronous: writes the old
 * master acknowledged but had not yet sent to the promoted replica are lost (measured in
 * sentinel.test.ts).
 */
import { Redis } from 'ioredis';
import { parseNodeAddress } from './cluster.js';
import { closeClient, commandTimeoutOf, redisOptions, waitClientReady } from './connection.js';
import type { ConnectionTuning, DataNode, KeyLocation, ProbeTarget, Route, Topology } from './types.js';

export interface SentinelTopologyConfig {
  /** host:port of each sentinel (any one that answers is enough; give them all). */
  sentinels: readonly string[];
  /** The name the sentinels monitor the master under (`sentinel monitor <name> ...`). @default 'mymaster' */
  masterName?: string;
  /** Serve plain reads from a replica the sentinels list (stale reads possible). @default false */
  replicaReads?: boolean;
}

export class SentinelTopology implements Topology {
  readonly kind = 'sentinel' as const;
  readonly description: string;
  readonly commandTimeoutMs: number;
  readonly masterName: string;
  /** Always connected to whatever the sentinels call the master now. */
  readonly master: Redis;
  /** With replicaReads: connected to one of the master's replicas (ioredis picks one; another after a failure). */
  readonly replica: Redis | undefined;
  private readonly sentinels: { host: string; port: number }[];
  private readonly routeEntry: Route;
  private asker: Redis | undefined;

  constructor(config: SentinelTopologyConfig, tuning: ConnectionTuning = {}) {
    if (config.sentinels.length === 0) throw new RangeError('sentinel topology needs at least one sentinel');
    this.masterName = config.masterName ?? 'mymaster';
    this.commandTimeoutMs = commandTimeoutOf(tuning);
    this.sentinels = config.sentinels.map(parseNodeAddress);
    const connectTimeout = tuning.connectTimeoutMs ?? 2000;
    const connect = (role: 'master' | 'slave') => {
      const client = new Redis({
        ...redisOptions(tuning),
        sentinels: this.sentinels,
        name: this.masterName,
        role,
        // Not ioredis' failoverDetector: every sentinel publishes +switch-master when it learns
        // of the promotion, the followers up to seconds after the leader, and each one makes
        // the detector drop a connection that has already found the new master (a second
        // outage, seen in sentinel.test.ts). A dead master's connection drops by itself; a
        // demoted live one answers writes with READONLY, and that reconnects through the sentinels.
        reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
        // Ask the sentinels again soon: the promotion is what the cache is waiting for.
        retryStrategy: (times) => Math.min(100 * times, 500),
        sentinelCommandTimeout: connectTimeout,
        // While no sentinel answers, keep asking (capped): the cache fails open meanwhile.
        sentinelRetryStrategy: (times) => Math.min(100 * times, 1000),
      });
      client.on('error', () => {});
      return client;
    };
    this.master = connect('master');
    this.replica = config.replicaReads ? connect('slave') : undefined;
    this.routeEntry = {
      id: this.masterName,
      client: this.master,
      ...(this.replica ? { reader: this.replica } : {}),
    };
    this.description = `Redis Sentinel master "${this.masterName}" via ${config.sentinels.join(', ')}${this.replica ? ', reads from a replica' : ''}`;
  }

  route(): Route {
    return this.routeEntry;
  }

  /** The sentinels' current answer to "where is the master?" (SENTINEL get-master-addr-by-name). */
  async masterAddress(): Promise<string | undefined> {
    for (const s of this.sentinels) {
      this.asker ??= this.sentinelClient(s);
      try {
        const r = (await this.asker.call('SENTINEL', 'get-master-addr-by-name', this.masterName)) as
          | [string, string]
          | null;
        if (r) return `${r[0]}:${r[1]}`;
      } catch {
        // this sentinel is gone: ask the next one
      }
      this.asker.disconnect();
      this.asker = undefined;
    }
    return undefined;
  }

  async locate(redisKey: string): Promise<KeyLocation> {
    const at = await this.masterAddress();
    return {
      shard: this.masterName,
      server: at ?? 'unknown (no sentinel answered)',
      how: `one master holds every key; the sentinels name ${at ?? 'none'} as master "${this.masterName}" now (Redis key ${redisKey})${this.replica ? `; reads go to the replica at ${replicaAddress(this.replica)}` : ''}`,
    };
  }

  probeTargets(): ProbeTarget[] {
    return [{ id: this.masterName, ping: () => this.master.ping() }];
  }

  dataNodes(): DataNode[] {
    return [{ id: this.masterName, client: this.master }];
  }

  async waitReady(timeoutMs: number): Promise<boolean> {
    const ready = await Promise.all(
      [this.master, this.replica].map((c) => (c ? waitClientReady(c, timeoutMs) : true)),
    );
    return ready.every(Boolean);
  }

  async close(): Promise<void> {
    this.asker?.disconnect();
    await Promise.all([closeClient(this.master), this.replica ? closeClient(this.replica) : undefined]);
  }

  private sentinelClient(at: { host: string; port: number }): Redis {
    const client = new Redis({
      host: at.host,
      port: at.port,
      connectTimeout: 1000,
      commandTimeout: 1000,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: true,
      retryStrategy: () => null,
      lazyConnect: false,
    });
    client.on('error', () => {});
    return client;
  }
}

/** host:port the connection is attached to now (its socket's peer), or "none". */
function replicaAddress(client: Redis): string {
  const stream = (client as unknown as { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
  return stream?.remoteAddress ? `${stream.remoteAddress}:${stream.remotePort}` : 'none yet';
}
