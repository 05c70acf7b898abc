/**
 * Redis Sentinel: one master, its replicas, and sentinel processes that watch them and
 * promote a replica when the master stops answering. The client asks the sentinels where the
 * master is (ioredis' sentinel support), follows a promotion by itself (it subscribes to the
 * sentinels' +switch-master, and reconnects through them when the old master's connection
 * drops), and the cache fails open in between. Replication is asynchronous: writes the old
 * master acknowledged but had not yet sent to the promoted replica are lost (measured in
 * sentinel.test.ts).
 */
import { Redis } from 'ioredis';
import { parseNodeAddress } from './cluster.js';
import { closeClient, redisOptions, waitClientReady } from './connection.js';
import type { ConnectionTuning, DataNode, KeyLocation, ProbeTarget, Route, Topology } from './types.js';

export interface SentinelTopologyConfig {
  /** host:port of each sentinel (any one that answers is enough; give them all). */
  sentinels: readonly string[];
  /** The name the sentinels monitor the master under (`sentinel monitor <name> ...`). @default 'mymaster' */
  masterName?: string;
}

export class SentinelTopology implements Topology {
  readonly kind = 'sentinel' as const;
  readonly description: string;
  readonly masterName: string;
  /** Always connected to whatever the sentinels call the master now. */
  readonly master: Redis;
  private readonly sentinels: { host: string; port: number }[];
  private readonly routeEntry: Route;
  private asker: Redis | undefined;

  constructor(config: SentinelTopologyConfig, tuning: ConnectionTuning = {}) {
    if (config.sentinels.length === 0) throw new RangeError('sentinel topology needs at least one sentinel');
    this.masterName = config.masterName ?? 'mymaster';
    this.sentinels = config.sentinels.map(parseNodeAddress);
    const connectTimeout = tuning.connectTimeoutMs ?? 2000;
    this.master = new Redis({
      ...redisOptions(tuning),
      sentinels: this.sentinels,
      name: this.masterName,
      role: 'master',
      // Reconnect at once on +switch-master instead of waiting for the old connection to fail.
      failoverDetector: true,
      sentinelCommandTimeout: connectTimeout,
      // While no sentinel answers, keep asking (capped): the cache fails open meanwhile.
      sentinelRetryStrategy: (times) => Math.min(100 * times, 1000),
    });
    this.master.on('error', () => {});
    this.routeEntry = { id: this.masterName, client: this.master };
    this.description = `Redis Sentinel master "${this.masterName}" via ${config.sentinels.join(', ')}`;
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
      how: `one master holds every key; the sentinels name ${at ?? 'none'} as master "${this.masterName}" now (Redis key ${redisKey})`,
    };
  }

  probeTargets(): ProbeTarget[] {
    return [{ id: this.masterName, ping: () => this.master.ping() }];
  }

  dataNodes(): DataNode[] {
    return [{ id: this.masterName, client: this.master }];
  }

  waitReady(timeoutMs: number): Promise<boolean> {
    return waitClientReady(this.master, timeoutMs);
  }

  async close(): Promise<void> {
    this.asker?.disconnect();
    await closeClient(this.master);
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
