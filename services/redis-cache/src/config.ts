/** The one place parsed options become a topology and cache options. Invalid combinations throw here. */
import { InvalidConfigError, type Logger, type OptionValues, redactUrl } from '@fopnp/net';
import type { cacheOptions } from './manifest.js';
import type { CacheOptions } from './options.js';
import type { PoolOptions } from './sharding/strategies.js';
import { parseNodeAddress, type TopologyConfig } from './topology/index.js';

export type CacheConfigValues = OptionValues<typeof cacheOptions>;

/**
 * A redis:// or rediss:// URL, or a clear error naming the option. ioredis itself takes
 * anything: "zzz" or "http://h:6379" silently became a connection to localhost:6379 or a
 * server that is not Redis.
 */
export function checkRedisUrl(option: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidConfigError(option, `${JSON.stringify(text)} is not a URL; expected redis://host:port`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new InvalidConfigError(
      option,
      `${redactUrl(text)} is not a redis:// or rediss:// URL (got ${url.protocol}//)`,
    );
  return text;
}

function checkNodeAddress(text: string, option = '--cluster-nodes'): string {
  try {
    const { port } = parseNodeAddress(text);
    if (!(port > 0 && port < 65536)) throw new RangeError('port');
  } catch {
    throw new InvalidConfigError(option, `${JSON.stringify(text)} is not host:port`);
  }
  return text;
}

export function topologyConfig(v: CacheConfigValues): TopologyConfig {
  if (v.replicaReads && v.topology !== 'cluster' && v.topology !== 'sentinel')
    throw new InvalidConfigError(
      '--replica-reads',
      `only the cluster and sentinel topologies have replicas to read from (topology is ${v.topology})`,
    );
  switch (v.topology) {
    case 'single':
      return { kind: 'single', url: checkRedisUrl('--redis-url', v.redisUrl) };
    case 'sharded':
      if (v.shards.length === 0)
        throw new InvalidConfigError(
          '--shards',
          'the sharded topology needs REDIS_SHARDS=redis://h:p,redis://h:p,...',
        );
      return {
        kind: 'sharded',
        urls: v.shards.map((u) => checkRedisUrl('--shards', u)),
        strategy: v.strategy,
        pool: { ...poolOptions(v, v.shards.length), hashInput: v.shardHashInput },
      };
    case 'cluster':
      if (v.clusterNodes.length === 0)
        throw new InvalidConfigError(
          '--cluster-nodes',
          'the cluster topology needs REDIS_CLUSTER_NODES=host:port,...',
        );
      return {
        kind: 'cluster',
        nodes: v.clusterNodes.map((n) => checkNodeAddress(n)),
        replicaReads: v.replicaReads,
      };
    case 'sentinel':
      if (v.sentinels.length === 0)
        throw new InvalidConfigError(
          '--sentinels',
          'the sentinel topology needs REDIS_SENTINELS=host:port,...',
        );
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(v.sentinelMaster))
        throw new InvalidConfigError(
          '--sentinel-master',
          `${JSON.stringify(v.sentinelMaster)} must be 1-64 of A-Z a-z 0-9 . _ -`,
        );
      return {
        kind: 'sentinel',
        sentinels: v.sentinels.map((n) => checkNodeAddress(n, '--sentinels')),
        masterName: v.sentinelMaster,
        replicaReads: v.replicaReads,
      };
    case 'proxy': {
      const servers = v.shards.map((u) => checkRedisUrl('--shards', u));
      if (servers.length > 0 && v.strategy !== 'ketama' && v.strategy !== 'modula')
        throw new InvalidConfigError(
          '--strategy',
          `the proxy topology places keys as twemproxy does: give the pool's distribution, ketama or modula (got ${v.strategy})`,
        );
      const pool = poolOptions(v, servers.length);
      if (!v.proxyUrl)
        throw new InvalidConfigError(
          '--proxy-url',
          "the proxy topology needs TWEMPROXY_URL=redis://host:port (the pool's listen address)",
        );
      return {
        kind: 'proxy',
        url: checkRedisUrl('--proxy-url', v.proxyUrl),
        servers,
        distribution: v.strategy === 'modula' ? 'modula' : 'ketama',
        ...pool,
      };
    }
  }
}

/** --shard-hash, --shard-names and --shard-weights, checked against the number of shards. */
function poolOptions(v: CacheConfigValues, shards: number): PoolOptions {
  const weights = v.shardWeights.map((w) => {
    const n = Number(w);
    if (!Number.isInteger(n) || n < 1 || n > 10_000)
      throw new InvalidConfigError('--shard-weights', `${JSON.stringify(w)} is not an integer in 1..10000`);
    return n;
  });
  for (const [option, list] of [
    ['--shard-names', v.shardNames],
    ['--shard-weights', weights],
  ] as const)
    if (list.length > 0 && list.length !== shards)
      throw new InvalidConfigError(
        option,
        `${list.length} given for ${shards} shards; give one per shard, in order`,
      );
  return {
    ...(v.shardHash ? { hash: v.shardHash } : {}),
    ...(v.shardNames.length ? { names: v.shardNames } : {}),
    ...(weights.length ? { weights } : {}),
  };
}

export function cacheSettings(v: CacheConfigValues, logger?: Logger): Omit<CacheOptions, 'topology'> {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(v.namespace))
    throw new InvalidConfigError(
      '--namespace',
      `${JSON.stringify(v.namespace)} must be 1-64 of A-Z a-z 0-9 . _ -`,
    );
  return {
    namespace: v.namespace,
    ttlMs: v.ttlMs,
    negativeTtlMs: v.negativeTtlMs,
    ttlJitter: v.ttlJitter,
    maxValueBytes: v.maxValueBytes,
    serializer: v.serializer,
    opTimeoutMs: v.opTimeoutMs,
    ...(logger ? { logger } : {}),
  };
}
