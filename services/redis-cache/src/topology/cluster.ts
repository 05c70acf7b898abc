/**
 * Redis Cluster through ioredis.Cluster: the servers own hash slots (CRC16 of the key mod
 * 16384), replicas take over a failed master, and the client follows MOVED/ASK redirects.
 * This is what to use once client-side sharding's manual resharding hurts.
 */
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { redisOptions, waitClientReady } from './connection.js';
import {
  type ConnectionTuning,
  type DataNode,
  DEFAULT_CONNECTION_TUNING,
  type KeyLocation,
  type ProbeTarget,
  type Route,
  type Topology,
} from './types.js';

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
  /** Unbounded by ioredis: a call may wait for redirections and CLUSTERDOWN retries. */
  readonly commandTimeoutMs = undefined;
  readonly cluster: Cluster;

  /** `replicaReads`: GETs go to the slot owner's replicas (ioredis scaleReads 'slave'; stale reads possible). */
  constructor(
    seeds: readonly string[],
    tuning: ConnectionTuning = {},
    options: { replicaReads?: boolean } = {},
  ) {
    if (seeds.length === 0) throw new RangeError('cluster topology needs at least one seed node');
    const { retryStrategy: _r, enableOfflineQueue: _q, ...perNode } = redisOptions(tuning);
    this.cluster = new Cluster(seeds.map(parseNodeAddress), {
      enableAutoPipelining: tuning.autoPipelining ?? true,
      enableOfflineQueue: false,
      redisOptions: perNode,
      // Read-only commands (GET) to replicas: ioredis sends them READONLY first. Writes, the lock
      // and its Lua release still go to the masters.
      scaleReads: options.replicaReads ? 'slave' : 'master',
      // Keep trying to reach the cluster forever (capped back-off): the cache fails open meanwhile.
      clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 200,
      maxRedirections: 4,
      // A failover changes which node owns which slots; notice it without waiting for a MOVED.
      slotsRefreshInterval: 2000,
      slotsRefreshTimeout: tuning.connectTimeoutMs ?? DEFAULT_CONNECTION_TUNING.connectTimeoutMs,
    });
    this.cluster.on('error', () => {});
    this.description = `Redis Cluster seeded by ${seeds.join(', ')}${options.replicaReads ? ', reads from replicas' : ''}`;
  }

  /**
   * The cluster client does the routing; the id names the master that owns the key's slot
   * now, so an outage of one master (until its replica takes over) is tracked as that
   * master's, and keys of the other masters are not reported as failing.
   */
  route(key: string): Route {
    const owner = this.cluster.slots[calculateSlot(key)]?.[0];
    return { id: owner ?? 'cluster', client: this.cluster };
  }
  /** The master that owns the key's slot in the client's slot table (waits briefly for a first table). */
  async locate(redisKey: string): Promise<KeyLocation> {
    if (this.cluster.status !== 'ready') await waitClientReady(this.cluster, 2000);
    const slot = calculateSlot(redisKey);
    const owner = this.cluster.slots[slot]?.[0];
    return {
      shard: owner ?? 'cluster',
      server: owner ?? 'unknown (no slot table yet: no seed answered)',
      how: `CRC16 slot ${slot} of the Redis key ${redisKey}`,
    };
  }
  /**
   * One target per master that owns slots in the client's slot table (or, before any table,
   * the whole cluster as "cluster", the id route() uses then). A master the client
   * has already dropped (crashed, not yet replaced by its replica) is unreachable by
   * definition; once the table names the promoted replica, the old id is no longer listed.
   */
  probeTargets(): ProbeTarget[] {
    const owners = new Set<string>();
    for (const slot of this.cluster.slots) if (slot?.[0]) owners.add(slot[0]);
    // No slot table yet (never reached any seed): probe the cluster as one owner, or
    // readiness would report ok for a cluster nobody can reach.
    if (owners.size === 0) return [{ id: 'cluster', ping: () => this.cluster.ping() }];
    const connected = new Map(this.cluster.nodes('master').map((client) => [nodeId(client), client]));
    return [...owners].map((id) => {
      const client = connected.get(id);
      return {
        id,
        ping: () => (client ? client.ping() : Promise.reject(new Error(`no connection to master ${id}`))),
      };
    });
  }
  dataNodes(): DataNode[] {
    return this.cluster.nodes('master').map((client) => ({ id: nodeId(client), client }));
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

function nodeId(client: { options: { host?: string; port?: number } }): string {
  return `${client.options.host}:${client.options.port}`;
}
