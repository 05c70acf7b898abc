/** The one interface the cache talks to, whatever the Redis topology behind it. */
import type { Cluster, Redis } from 'ioredis';

export const TOPOLOGY_KINDS = ['single', 'sharded', 'cluster', 'proxy', 'sentinel'] as const;
export type TopologyKind = (typeof TOPOLOGY_KINDS)[number];

/** What client-side sharding hashes: the user's key (default) or the whole Redis key, as twemproxy does. */
export const HASH_INPUTS = ['key', 'redis-key'] as const;
export type HashInput = (typeof HASH_INPUTS)[number];

/** A Redis or a Cluster: both speak the same commands. */
export type RedisClient = Redis | Cluster;

export interface Route {
  /** Stable name of the owner, for health tracking and per-shard stats ("shard1", "cluster"). */
  id: string;
  client: RedisClient;
  /**
   * Where plain reads (the first GET of a lookup) go when they may be served by a replica:
   * faster to scale, but a replica may not have the latest write yet. Writes, locks and the
   * lock holder's re-check always use `client`. Its failures count against `id`.
   */
  reader?: RedisClient;
}

/** Where a key lives, as `redis-cache where` and the HTTP API's x-cache-shard report it. */
export interface KeyLocation {
  /** The owner id the per-shard numbers use: "single", "shard2", "127.0.0.1:7001", ... */
  shard: string;
  /** The server's address (a URL without its password, or host:port). */
  server: string;
  /** How the owner was found: "jump over 4 shards", "slot 1234", ... */
  how: string;
}

export interface ProbeTarget {
  id: string;
  ping(): Promise<unknown>;
}

export interface DataNode {
  /** "shard0", "127.0.0.1:7001", ... */
  id: string;
  client: Redis;
}

export interface Topology {
  readonly kind: TopologyKind;
  /** Human description for logs and /stats. */
  readonly description: string;
  /**
   * The bound ioredis itself puts on every call this topology makes (its commandTimeout: one
   * command a call), or undefined when a call may take longer than one command's timeout
   * (Redis Cluster retries redirections and CLUSTERDOWN). The cache adds a timer of its own
   * only when this is missing or longer than its opTimeoutMs.
   */
  readonly commandTimeoutMs: number | undefined;
  /**
   * The client that owns a key. Client-side sharding hashes the user's key (so the
   * namespace prefix does not skew the strategy, and a key's value and loader lock share a
   * shard); Redis Cluster hashes the full Redis key, as the servers do.
   */
  route(redisKey: string, userKey?: string): Route;
  /** Where a key lives now (the owner route() picks, with its address and the reason). */
  locate(redisKey: string, userKey: string): Promise<KeyLocation>;
  /** One PING per owner route() can return now, for health probes. */
  probeTargets(): ProbeTarget[];
  /** The servers holding data (cluster: the current masters), for stats and cleanup. */
  dataNodes(): DataNode[];
  /** Waits until every connection is ready or `timeoutMs` passes; true when all are ready. */
  waitReady(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
  /**
   * The address behind an owner id (`single`, `shard1`) for messages, where the id does not
   * say it; undefined where it does (cluster and sentinel ids are addresses) or is unknown.
   */
  addressOf?(id: string): string | undefined;
}

export interface ConnectionTuning {
  /** Bound on one Redis command; past it the cache fails open. @default 1000 */
  commandTimeoutMs?: number;
  /** Bound on establishing a connection. @default 2000 */
  connectTimeoutMs?: number;
  /** Batch concurrent commands into one write per event-loop tick. @default true */
  autoPipelining?: boolean;
  /** Client name shown by CLIENT LIST. @default 'redis-cache' */
  connectionName?: string;
}

/** The one place ConnectionTuning's defaults are declared (the cache's opTimeoutMs is commandTimeoutMs). */
export const DEFAULT_CONNECTION_TUNING = {
  commandTimeoutMs: 1_000,
  connectTimeoutMs: 2_000,
  autoPipelining: true,
  connectionName: 'redis-cache',
} as const satisfies Required<ConnectionTuning>;
