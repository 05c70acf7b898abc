/**
 * Redis Cluster through ioredis.Cluster: the servers own hash slots (CRC16 of the key mod
 * 16384), replicas take over a failed master, and the client follows MOVED/ASK redirects.
 * This is what to use once client-side sharding's manual resharding hurts.
 */
import { Cluster } from 'ioredis';
import { redisOptions, waitClientReady } from './connection.js';
import type { ConnectionTuning, DataNode, Route, Topology } from './types.js';

export interface ClusterNodeAddress {
  host: string;
  port: number;
}

/** "host:port" or "redis://host:port" to an address. */
export function parseNodeAddress(text: string): ClusterNodeAddress {
  const u = new URL(text.includes('://') ? text : `redis://${text}`);
  const port = Number(u.port || 6379);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

export class ClusterTopology implements Topology {
  readonly kind = 'cluster' as const;
  readonly description: string;
  readonly cluster: Cluster;
  private readonly routeEntry: Route;

  constructor(seeds: readonly string[], tuning: ConnectionTuning = {}) {
    if (seeds.length === 0) throw new RangeError('cluster topology needs at least one seed node');
    const { retryStrategy: _r, enableOfflineQueue: _q, ...perNode } = redisOptions(tuning);
    this.cluster = new Cluster(seeds.map(parseNodeAddress), {
      enableAutoPipelining: tuning.autoPipelining ?? true,
      enableOfflineQueue: false,
      redisOptions: perNode,
      // Keep trying to reach the cluster forever (capped back-off): the cache fails open meanwhile.
      clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 200,
      maxRedirections: 4,
      // A failover changes which node owns which slots; notice it without waiting for a MOVED.
      slotsRefreshInterval: 2000,
      slotsRefreshTimeout: tuning.connectTimeoutMs ?? 2000,
    });
    this.cluster.on('error', () => {});
    this.description = `Redis Cluster seeded by ${seeds.join(', ')}`;
    this.routeEntry = { id: 'cluster', client: this.cluster };
  }

  route(): Route {
    return this.routeEntry;
  }
  routes(): Route[] {
    return [this.routeEntry];
  }
  dataNodes(): DataNode[] {
    return this.cluster.nodes('master').map((client) => ({
      id: `${client.options.host}:${client.options.port}`,
      client,
    }));
  }
  waitReady(timeoutMs: number): Promise<boolean> {
    return waitClientReady(this.cluster, timeoutMs);
  }
  async close(): Promise<void> {
    try {
      if (this.cluster.status === 'ready')
        await Promise.race([this.cluster.quit(), new Promise((r) => setTimeout(r, 500))]);
    } catch {
      /* already gone */
    }
    this.cluster.disconnect();
  }
}
