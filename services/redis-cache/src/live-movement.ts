/**
 * The key-movement figure against live servers: load K keys into N shards, add one shard,
 * look every key up through the N+1 topology, and count the misses. Those keys moved: their
 * cached values are stranded on the old shard and the loader will be called for them again.
 */
import type { Logger } from '@fopnp/net';
import { Cache } from './cache.js';
import type { StrategyName } from './sharding/strategies.js';
import { ShardedTopology } from './topology/sharded.js';

export interface LiveMovementOptions {
  /** Shards holding the keys first. */
  urls: readonly string[];
  /** The shard added afterwards. */
  added: string;
  strategy: StrategyName;
  keys: readonly string[];
  /** Namespace for the demo keys; all of them are deleted afterwards. */
  namespace: string;
  logger?: Logger;
  /** Called after each batch: the phase, and keys done of the total (progress for a person). */
  onProgress?: (phase: 'loading' | 'looking up', done: number, total: number) => void;
}

export interface LiveMovement {
  strategy: StrategyName;
  from: number;
  to: number;
  loaded: number;
  moved: number;
  share: number;
  /** Keys per shard after loading, counted by SCAN on each server. */
  before: (number | null)[];
}

const BATCH = 200;

async function inBatches<T>(
  items: readonly T[],
  fn: (item: T) => Promise<unknown>,
  progress?: (done: number) => void,
): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH) {
    await Promise.all(items.slice(i, i + BATCH).map(fn));
    progress?.(Math.min(i + BATCH, items.length));
  }
}

export async function measureLiveMovement(o: LiveMovementOptions): Promise<LiveMovement> {
  // A measurement, not a request path: a busy server should slow it down, not fail it.
  const base = {
    namespace: o.namespace,
    ttlMs: 600_000,
    ttlJitter: 0,
    opTimeoutMs: 15_000,
    ...(o.logger ? { logger: o.logger } : {}),
  };
  const before = new Cache({
    ...base,
    topology: new ShardedTopology(o.urls, o.strategy, { commandTimeoutMs: 15_000 }),
  });
  const after = new Cache({
    ...base,
    topology: new ShardedTopology([...o.urls, o.added], o.strategy, { commandTimeoutMs: 15_000 }),
  });
  try {
    await Promise.all([before.started(), after.started()]);
    await inBatches(
      o.keys,
      (k) => before.set(k, k),
      (done) => o.onProgress?.('loading', done, o.keys.length),
    );
    const counts = (await before.shardKeyCounts()).map((c) => c.keys);
    let moved = 0;
    await inBatches(
      o.keys,
      async (k) => {
        if ((await after.get(k)).status !== 'hit') moved++;
      },
      (done) => o.onProgress?.('looking up', done, o.keys.length),
    );
    const loaded = o.keys.length;
    return {
      strategy: o.strategy,
      from: o.urls.length,
      to: o.urls.length + 1,
      loaded,
      moved,
      share: loaded ? moved / loaded : 0,
      before: counts,
    };
  } finally {
    await after.clear().catch(() => 0);
    await Promise.all([before.close(), after.close()]);
  }
}

export function formatLiveMovement(rows: readonly LiveMovement[]): string {
  const first = rows[0];
  if (!first) return '';
  const lines = rows.map(
    (r) =>
      `   ${r.strategy.padEnd(7)} ${String(r.moved).padStart(String(r.loaded).length)} ${`${(r.share * 100).toFixed(1)}%`.padStart(6)}   per shard before: ${r.before.map((c) => c ?? '?').join(' / ')}`,
  );
  return `live shards: ${first.loaded} keys loaded into ${first.from}, looked up through ${first.to}; misses = moved\n${lines.join('\n')}\n`;
}
