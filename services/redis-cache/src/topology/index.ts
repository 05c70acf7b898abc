/** Picks a topology from configuration. */
import type { PoolOptions, StrategyName } from '../sharding/strategies.js';
import { ClusterTopology } from './cluster.js';
import { ProxyTopology, type ProxyTopologyConfig } from './proxy.js';
import { SentinelTopology, type SentinelTopologyConfig } from './sentinel.js';
import { ShardedTopology } from './sharded.js';
import { SingleTopology } from './single.js';
import {
  type ConnectionTuning,
  type HashInput,
  TOPOLOGY_KINDS,
  type Topology,
  type TopologyKind,
} from './types.js';

export type { ClusterNodeAddress } from './cluster.js';
export { ClusterTopology, parseNodeAddress } from './cluster.js';
export { connectProxy, ProxyTopology, type ProxyTopologyConfig } from './proxy.js';
export { SentinelTopology, type SentinelTopologyConfig } from './sentinel.js';
export { ShardedTopology } from './sharded.js';
export { SingleTopology } from './single.js';
export * from './types.js';

export type TopologyConfig =
  | { kind: 'single'; url: string }
  | {
      kind: 'sharded';
      urls: readonly string[];
      strategy: StrategyName;
      pool?: PoolOptions & { hashInput?: HashInput };
    }
  | { kind: 'cluster'; nodes: readonly string[]; replicaReads?: boolean }
  | ({ kind: 'proxy' } & ProxyTopologyConfig)
  | ({ kind: 'sentinel' } & SentinelTopologyConfig);

export function createTopology(config: TopologyConfig, tuning: ConnectionTuning = {}): Topology {
  switch (config.kind) {
    case 'single':
      return new SingleTopology(config.url, tuning);
    case 'sharded':
      return new ShardedTopology(config.urls, config.strategy, tuning, config.pool);
    case 'cluster':
      return new ClusterTopology(config.nodes, tuning, { replicaReads: config.replicaReads ?? false });
    case 'proxy':
      return new ProxyTopology(config, tuning);
    case 'sentinel':
      return new SentinelTopology(config, tuning);
  }
}

export function isTopologyKind(x: string): x is TopologyKind {
  return (TOPOLOGY_KINDS as readonly string[]).includes(x);
}
