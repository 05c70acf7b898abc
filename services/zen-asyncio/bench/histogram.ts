/**
 * A latency histogram with logarithmic buckets (2 % wide), so load-generator processes
 * can each record millions of samples in a few kilobytes and be merged exactly.
 */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Covers 1 µs .. ~10^9 µs. */
const BUCKETS = Math.ceil(Math.log(1e9) / LOG_GROWTH) + 1;

export class Histogram {
  readonly counts: number[];
  total = 0;

  constructor(counts?: number[]) {
    this.counts = counts ? [...counts] : new Array<number>(BUCKETS).fill(0);
    for (const c of this.counts) this.total += c;
  }

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const us = Math.max(1, ms * 1000);
    const i = Math.min(BUCKETS - 1, Math.floor(Math.log(us) / LOG_GROWTH));
    this.counts[i]!++;
    this.total++;
  }

  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i] ?? 0;
    this.total += other.total;
  }

  /** The latency (ms, bucket midpoint) below which `p` (0..1) of the samples fall. */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.ceil(p * this.total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return (GROWTH ** i * Math.sqrt(GROWTH)) / 1000;
    }
    return Number.POSITIVE_INFINITY;
  }
}
