/** The explorer's figures: how a strategy spreads keys, and how many move when a shard is added. */
import { createStrategy, STRATEGY_NAMES, type StrategyName } from './strategies.js';

export interface Distribution {
  strategy: StrategyName;
  shards: number;
  total: number;
  /** Keys per shard, index = shard. */
  counts: number[];
  /** Largest shard over the ideal total/N (1.0 = perfectly even). */
  maxOverIdeal: number;
}

export function distribution(strategy: StrategyName, shards: number, keys: readonly string[]): Distribution {
  const s = createStrategy(strategy, shards);
  const counts = new Array<number>(shards).fill(0);
  for (const key of keys) counts[s.shardFor(key)]!++;
  const ideal = keys.length / shards;
  return {
    strategy,
    shards,
    total: keys.length,
    counts,
    maxOverIdeal: ideal ? Math.max(...counts) / ideal : 0,
  };
}

export interface Movement {
  strategy: StrategyName;
  from: number;
  to: number;
  total: number;
  moved: number;
  share: number;
}

/** Share of keys whose shard changes when the cluster grows from `from` to `to` shards. */
export function movement(
  strategy: StrategyName,
  from: number,
  to: number,
  keys: readonly string[],
): Movement {
  const before = createStrategy(strategy, from);
  const after = createStrategy(strategy, to);
  let moved = 0;
  for (const key of keys) if (before.shardFor(key) !== after.shardFor(key)) moved++;
  return { strategy, from, to, total: keys.length, moved, share: keys.length ? moved / keys.length : 0 };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The book's table: one line per server with its key count and share. */
export function formatDistribution(d: Distribution): string {
  const width = String(d.total).length;
  const lines = d.counts.map(
    (c, i) => `   server${i} ${String(c).padStart(width)} ${pct(d.total ? c / d.total : 0).padStart(6)}`,
  );
  return `${d.strategy}\n${lines.join('\n')}\n   largest shard / ideal: ${d.maxOverIdeal.toFixed(2)}\n`;
}

/** Every strategy side by side for a grow from N to M shards, with the two theoretical shares. */
export function formatMovementTable(rows: readonly Movement[]): string {
  const first = rows[0];
  if (!first) return '';
  const { from, to, total } = first;
  const header = `keys moved going from ${from} to ${to} shards (${total} keys)\n`;
  const table = rows.map(
    (r) =>
      `   ${r.strategy.padEnd(7)} ${String(r.moved).padStart(String(total).length)} ${pct(r.share).padStart(6)}`,
  );
  const theory =
    `   theory: modulo moves about 1 - 1/${to} = ${pct(1 - 1 / to)}; ` +
    `consistent hashing about ${to - from}/${to} = ${pct((to - from) / to)}`;
  return `${header}${table.join('\n')}\n${theory}\n`;
}

export function movementForAll(from: number, to: number, keys: readonly string[]): Movement[] {
  return STRATEGY_NAMES.map((s) => movement(s, from, to, keys));
}
