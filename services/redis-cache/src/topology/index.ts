/** Picks a topology from configuration. */
import type { StrategyName } from '../sharding/strategies.js';
import { ClusterTopology } from './cluster.js';
import { ShardedTopology } from './sharded.js';
import { SingleTopology } from './single.js';
import type { ConnectionTuning, Topology, TopologyKind } from './types.js';

export type { ClusterNodeAddress } from './cluster.js';
export { ClusterTopology, parseNodeAddress } from './cluster.js';
export { ShardedTopology } from './sharded.js';
export { SingleTopology } from './single.js';
export * from './types.js';

export type TopologyConfig =
  | { kind: 'single'; url: string }
  | { kind: 'sharded'; urls: readonly string[]; strategy: StrategyName }
  | { kind: 'cluster'; nodes: readonly string[] };

export function createTopology(config: TopologyConfig, tuning: ConnectionTuning = {}): Topology {
  switch (config.kind) {
    case 'single':
      return new SingleTopology(config.url, tuning);
    case 'sharded':
      return new ShardedTopology(config.urls, config.strategy, tuning);
    case 'cluster':
      return new ClusterTopology(config.nodes, tuning);
  }
}

export function isTopologyKind(x: string): x is TopologyKind {
  return x === 'single' || x === 'sharded' || x === 'cluster';
}
