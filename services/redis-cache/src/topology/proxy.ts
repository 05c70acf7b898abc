/**
 * A proxy shards for us: the cache talks to one twemproxy (nutcracker), which hashes each
 * Redis key and forwards the command to one of its servers. The client holds one connection
 * and knows nothing of the servers; twemproxy's pool does the placing.
 *
 * Given the pool's server list (in the YAML's order), distribution, hash and names, this
 * topology computes where twemproxy puts each key (ketama/modula as in twemproxy.ts, checked
 * against nutcracker in twemproxy.test.ts): the per-shard numbers, `where`, key counts and
 * health are then per server, and a dead server fails open only for its own keys. Without
 * the list the proxy is one opaque owner, "proxy".
 *
 * twemproxy hashes the whole Redis key ("<namespace>:<key>"), so the placement here does too;
 * a key's loader lock ("<namespace>#lock:<key>") may then live on another server, which the
 * lock does not mind.
 */

import { redactUrl } from '@fopnp/net';
import { Redis } from 'ioredis';
import { type PoolPlacement, type TwemproxyDistribution, twemproxyPlacement } from '../sharding/twemproxy.js';
import type { TwemproxyHashName } from '../sharding/twemproxy-hash.js';
import { closeClient, commandTimeoutOf, connectRedis, redisOptions, waitClientReady } from './connection.js';
import type { ConnectionTuning, DataNode, KeyLocation, ProbeTarget, Route, Topology } from './types.js';

export interface ProxyTopologyConfig {
  /** redis:// URL of twemproxy's listen address. */
  url: string;
  /** The pool's servers as the cache can reach them directly, in the YAML's order (optional). */
  servers?: readonly string[];
  /** The pool's `distribution:`. @default 'ketama' */
  distribution?: TwemproxyDistribution;
  /** The pool's `hash:`. @default 'fnv1a_64' (twemproxy's default) */
  hash?: TwemproxyHashName;
  /** The servers' names in the YAML ("host:port:1 name"); without names twemproxy uses "host:port". @default host:port of each server URL */
  names?: readonly string[];
  /** The servers' weights. @default 1 each */
  weights?: readonly number[];
}

/**
 * A connection to twemproxy. It closes the connection on any command it does not know, and
 * it knows none of what ioredis 6 sends on connect: HELLO 3 (RESP3 is ioredis 6's default;
 * twemproxy speaks RESP2 only), CLIENT SETNAME/SETINFO, and INFO for the ready check. All
 * four are off; everything else keeps the cache's fail-open options.
 */
export function connectProxy(url: string, t: ConnectionTuning = {}): Redis {
  const { connectionName: _n, ...options } = redisOptions(t);
  const client = new Redis(url, {
    ...options,
    protocol: 2,
    enableReadyCheck: false,
    disableClientInfo: true,
  });
  client.on('error', () => {});
  return client;
}

/** "host:port" of a redis:// URL, twemproxy's default server name. */
export function hostPort(url: string): string {
  const u = new URL(url);
  return `${u.hostname.replace(/^\[|\]$/g, '')}:${u.port || 6379}`;
}

export class ProxyTopology implements Topology {
  readonly kind = 'proxy' as const;
  readonly description: string;
  readonly commandTimeoutMs: number;
  readonly proxy: Redis;
  readonly placement: PoolPlacement | undefined;
  /** "ketama/fnv1a_64" */
  readonly scheme: string;
  private readonly backends: Redis[];
  private readonly servers: string[];
  private readonly proxyRoute: Route;
  private readonly shardRoutes: Route[];
  /** One key per server that the pool places there, read through the proxy to probe that server. */
  private readonly probeKeys: string[];

  constructor(config: ProxyTopologyConfig, tuning: ConnectionTuning = {}) {
    const servers = config.servers ?? [];
    this.proxy = connectProxy(config.url, tuning);
    this.commandTimeoutMs = commandTimeoutOf(tuning);
    this.proxyRoute = { id: 'proxy', client: this.proxy };
    this.servers = servers.map(redactUrl);
    const distribution = config.distribution ?? 'ketama';
    this.scheme = `${distribution}/${config.hash ?? 'fnv1a_64'}`;
    if (servers.length > 0) {
      const names = config.names?.length ? config.names : servers.map(hostPort);
      if (names.length !== servers.length)
        throw new RangeError(
          `${names.length} names for ${servers.length} proxy servers; give one per server`,
        );
      if (config.weights?.length && config.weights.length !== servers.length)
        throw new RangeError(`${config.weights.length} weights for ${servers.length} proxy servers`);
      this.placement = twemproxyPlacement(
        distribution,
        names.map((name, i) => ({ name, weight: config.weights?.[i] ?? 1 })),
        config.hash ?? 'fnv1a_64',
      );
      this.backends = servers.map((u) => connectRedis(u, tuning));
    } else {
      this.placement = undefined;
      this.backends = [];
    }
    this.shardRoutes = this.backends.map((_, i) => ({ id: `shard${i}`, client: this.proxy }));
    this.probeKeys = this.shardRoutes.map((_, i) => this.keyOn(i));
    this.description = this.placement
      ? `twemproxy at ${redactUrl(config.url)}: ${this.scheme} over ${this.servers.join(', ')}`
      : `twemproxy at ${redactUrl(config.url)}`;
  }

  /** twemproxy hashes the whole Redis key, so this does too. */
  route(redisKey: string): Route {
    return this.placement ? this.shardRoutes[this.placement.indexOf(redisKey)]! : this.proxyRoute;
  }

  async locate(redisKey: string): Promise<KeyLocation> {
    if (!this.placement)
      return {
        shard: 'proxy',
        server: 'unknown (give the pool servers, --shards, to compute it)',
        how: 'twemproxy decides',
      };
    const i = this.placement.indexOf(redisKey);
    const s = this.placement.servers[i]!;
    return {
      shard: `shard${i}`,
      server: this.servers[i]!,
      how: `twemproxy's ${this.scheme} of the Redis key ${redisKey} (server name ${JSON.stringify(s.name)})`,
    };
  }

  /**
   * PING would be answered by twemproxy itself. EXISTS of a key the pool places on a server
   * goes all the way to that server, so a probe sees what calls see (a dead server, or a dead proxy).
   */
  probeTargets(): ProbeTarget[] {
    if (!this.placement) return [{ id: 'proxy', ping: () => this.proxy.exists('fopnp-probe') }];
    return this.shardRoutes.map((r, i) => ({ id: r.id, ping: () => this.proxy.exists(this.probeKeys[i]!) }));
  }

  /** The servers themselves (SCAN does not pass through twemproxy): none when they were not given. */
  dataNodes(): DataNode[] {
    return this.backends.map((client, i) => ({ id: `shard${i}`, client }));
  }

  async waitReady(timeoutMs: number): Promise<boolean> {
    const all = await Promise.all([this.proxy, ...this.backends].map((c) => waitClientReady(c, timeoutMs)));
    return all.every(Boolean);
  }

  async close(): Promise<void> {
    await Promise.all([this.proxy, ...this.backends].map((c) => closeClient(c)));
  }

  private keyOn(index: number): string {
    for (let n = 0; n < 100_000; n++) {
      const key = `fopnp-probe:${n}`;
      if (this.placement!.indexOf(key) === index) return key;
    }
    // A server with (almost) no share of the ring: probe through the proxy at all.
    return 'fopnp-probe';
  }
}
