/**
 * Client-side sharding (the book's ch. 8 answer to "one Redis is not enough"): N independent
 * servers, and a strategy in the client decides which one owns each key. No server knows
 * about the others, so adding one moves keys according to the strategy, and an outage of
 * one shard only affects its share of the keys.
 */
import { redactUrl } from '@fopnp/net';
import type { Redis } from 'ioredis';
import {
  createStrategy,
  type PoolOptions,
  type ShardStrategy,
  type StrategyName,
} from '../sharding/strategies.js';
import { closeClient, commandTimeoutOf, connectRedis, waitClientReady } from './connection.js';
import type {
  ConnectionTuning,
  DataNode,
  HashInput,
  KeyLocation,
  ProbeTarget,
  Route,
  Topology,
} from './types.js';

export class ShardedTopology implements Topology {
  readonly kind = 'sharded' as const;
  readonly description: string;
  readonly commandTimeoutMs: number;
  readonly strategy: ShardStrategy;
  readonly hashInput: HashInput;
  private readonly shardRoutes: Route[];
  private readonly clients: Redis[];
  private readonly servers: string[];

  /**
   * `pool` (hash, names, weights) tunes ketama and modula, e.g. to agree with a twemproxy pool;
   * `hashInput: 'redis-key'` hashes "<namespace>:<key>" as twemproxy does, so this client and
   * twemproxy's clients find the same keys on the same servers.
   */
  constructor(
    urls: readonly string[],
    strategy: StrategyName,
    tuning: ConnectionTuning = {},
    pool: PoolOptions & { hashInput?: HashInput } = {},
  ) {
    this.hashInput = pool.hashInput ?? 'key';
    if (urls.length === 0) throw new RangeError('sharded topology needs at least one shard URL');
    this.strategy = createStrategy(strategy, urls.length, pool);
    this.clients = urls.map((u) => connectRedis(u, tuning));
    this.commandTimeoutMs = commandTimeoutOf(tuning);
    this.shardRoutes = this.clients.map((client, i) => ({ id: `shard${i}`, client }));
    this.servers = urls.map(redactUrl);
    this.description = `${urls.length} shards by ${strategy}: ${urls.map(redactUrl).join(', ')}`;
  }

  addressOf(id: string): string | undefined {
    const m = /^shard(\d+)$/.exec(id);
    return m ? this.servers[Number(m[1])] : undefined;
  }

  route(redisKey: string, userKey: string = redisKey): Route {
    return this.shardRoutes[this.strategy.shardFor(this.hashInput === 'key' ? userKey : redisKey)]!;
  }
  async locate(redisKey: string, userKey: string): Promise<KeyLocation> {
    const i = this.strategy.shardFor(this.hashInput === 'key' ? userKey : redisKey);
    const input =
      this.hashInput === 'key'
        ? `the key ${JSON.stringify(userKey)} (Redis key ${redisKey})`
        : `the Redis key ${redisKey}`;
    return {
      shard: this.shardRoutes[i]!.id,
      server: this.servers[i]!,
      how: `${this.strategy.name} over ${this.servers.length} shards of ${input}`,
    };
  }
  probeTargets(): ProbeTarget[] {
    return this.shardRoutes.map((r) => ({ id: r.id, ping: () => r.client.ping() }));
  }
  dataNodes(): DataNode[] {
    return this.clients.map((client, i) => ({ id: `shard${i}`, client }));
  }
  async waitReady(timeoutMs: number): Promise<boolean> {
    const all = await Promise.all(this.clients.map((c) => waitClientReady(c, timeoutMs)));
    return all.every(Boolean);
  }
  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => closeClient(c)));
  }
}
