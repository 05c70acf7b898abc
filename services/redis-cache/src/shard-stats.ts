/**
 * Per-shard numbers: every lookup, fail-open and Redis call counted under the id of the
 * owner it went to ("single", "shard2", a cluster master's "host:port", a sentinel group's
 * master). Totals hide what a topology is for: a dead shard shows as one label with
 * fail-opens and no hits while the others carry on; a hot key shows as one shard's hits.
 */

export interface ShardCounters {
  hits: number;
  misses: number;
  /** Loader calls made because this owner could not be reached. */
  failOpen: number;
  /** Redis calls made to this owner (GET, SET, lock, PING ...), and how many failed or timed out. */
  calls: number;
  failedCalls: number;
  /** Sum of the calls' durations, milliseconds (mean = callMs / calls). */
  callMs: number;
}

/** Told about every Redis call: owner id, duration in milliseconds, whether it succeeded. */
export type CallObserver = (shard: string, ms: number, ok: boolean) => void;

export class ShardStats {
  private readonly byShard = new Map<string, ShardCounters>();
  private readonly observers: CallObserver[] = [];

  /** The counters of one owner, created at zero on first use. */
  of(shard: string): ShardCounters {
    let c = this.byShard.get(shard);
    if (!c) {
      c = { hits: 0, misses: 0, failOpen: 0, calls: 0, failedCalls: 0, callMs: 0 };
      this.byShard.set(shard, c);
    }
    return c;
  }

  call(shard: string, ms: number, ok: boolean): void {
    const c = this.of(shard);
    c.calls++;
    c.callMs += ms;
    if (!ok) c.failedCalls++;
    for (const observe of this.observers) observe(shard, ms, ok);
  }

  /** Calls `fn` after every Redis call from now on (metrics histograms subscribe here). */
  onCall(fn: CallObserver): void {
    this.observers.push(fn);
  }

  /** Every owner seen so far, sorted by id, with a copy of its counters. */
  snapshot(): (ShardCounters & { shard: string })[] {
    return [...this.byShard.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([shard, c]) => ({ shard, ...c }));
  }
}
