/** The one place parsed options become a topology and cache options. Invalid combinations throw here. */
import { InvalidConfigError, type Logger, type OptionValues } from '@fopnp/net';
import type { cacheOptions } from './manifest.js';
import type { CacheOptions } from './options.js';
import type { TopologyConfig } from './topology/index.js';

export type CacheConfigValues = OptionValues<typeof cacheOptions>;

export function topologyConfig(v: CacheConfigValues): TopologyConfig {
  switch (v.topology) {
    case 'single':
      return { kind: 'single', url: v.redisUrl };
    case 'sharded':
      if (v.shards.length === 0)
        throw new InvalidConfigError(
          '--shards',
          'the sharded topology needs REDIS_SHARDS=redis://h:p,redis://h:p,...',
        );
      return { kind: 'sharded', urls: v.shards, strategy: v.strategy };
    case 'cluster':
      if (v.clusterNodes.length === 0)
        throw new InvalidConfigError(
          '--cluster-nodes',
          'the cluster topology needs REDIS_CLUSTER_NODES=host:port,...',
        );
      return { kind: 'cluster', nodes: v.clusterNodes };
  }
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
