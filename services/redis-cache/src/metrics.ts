/**
 * Prometheus metrics of a Cache, read from its counters at scrape time. Everything that
 * concerns one Redis owner carries a `shard` label (the id of `redis-cache where`: "single",
 * "shard2", a cluster master's "host:port", a sentinel group's master), so per-shard balance
 * and a dead shard's effect show; sum over the label for totals.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Cache, CacheStats } from './cache.js';
import type { ShardCounters } from './shard-stats.js';

/** Totals that belong to no one owner (a coalesced call never reached Redis). */
const COUNTERS: [keyof CacheStats, string, string][] = [
  ['loaderCalls', 'redis_cache_loader_calls_total', 'calls of getOrLoad loaders'],
  [
    'coalesced',
    'redis_cache_coalesced_total',
    'getOrLoad calls that joined a load already in flight in this process',
  ],
  [
    'fromOtherProcess',
    'redis_cache_other_process_loads_total',
    'misses answered by a loader in another process',
  ],
  ['oversize', 'redis_cache_oversize_total', 'loaded values not cached because they exceeded the size limit'],
  [
    'oversizeReads',
    'redis_cache_oversize_reads_total',
    'stored entries over the value limit, refused before they were read whole',
  ],
  [
    'foreign',
    'redis_cache_foreign_entries_total',
    'reads of entries the cache cannot decode (another type, no cache tag, corrupt): each a miss',
  ],
  ['outages', 'redis_cache_outages_total', 'times a Redis server became unreachable'],
];

const SHARD_COUNTERS: [keyof ShardCounters, string, string][] = [
  ['hits', 'redis_cache_hits_total', 'lookups answered from Redis, by owner'],
  ['misses', 'redis_cache_misses_total', 'lookups that found nothing in Redis, by owner'],
  ['failOpen', 'redis_cache_fail_open_total', 'loader calls made because the owner was unreachable'],
  ['failedCalls', 'redis_cache_redis_call_failures_total', 'Redis calls that failed or timed out, by owner'],
];

/** Buckets from 0.25 ms (a loopback GET) to the 1 s default op timeout and past it. */
const LATENCY_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function registerCacheMetrics(registry: Registry, cache: Cache): void {
  for (const [field, name, help] of COUNTERS) {
    let reported = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = cache.stats()[field];
        if (now > reported) this.inc(now - reported);
        reported = now;
      },
    });
  }
  for (const [field, name, help] of SHARD_COUNTERS) {
    const reported = new Map<string, number>();
    new Counter({
      name,
      help,
      labelNames: ['shard'],
      registers: [registry],
      collect() {
        for (const row of cache.perShard.snapshot()) {
          const before = reported.get(row.shard) ?? 0;
          const now = row[field];
          // inc(0) still creates the series, so a shard with no hits yet shows as 0, not missing.
          this.inc({ shard: row.shard }, Math.max(0, now - before));
          reported.set(row.shard, now);
        }
      },
    });
  }
  const latency = new Histogram({
    name: 'redis_cache_redis_call_duration_seconds',
    help: 'duration of each Redis call (GET, SET, lock, PING ...), by owner; failures and timeouts included',
    labelNames: ['shard'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  cache.perShard.onCall((shard, ms) => latency.observe({ shard }, ms / 1000));

  new Gauge({
    name: 'redis_cache_keys',
    help: "keys of the cache's namespace on each data server (SCAN at scrape time; absent while a server is down)",
    labelNames: ['shard'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await cache.shardKeyCounts())
        if (row.keys !== null) this.set({ shard: row.id }, row.keys);
    },
  });
  new Gauge({
    name: 'redis_cache_shard_up',
    help: '1 while the owner answers, 0 from its first failed call until a probe reaches it again',
    labelNames: ['shard'],
    registers: [registry],
    collect() {
      this.reset();
      const ids = new Set(cache.topology.probeTargets().map((t) => t.id));
      for (const o of cache.availability.down()) ids.add(o.id);
      for (const id of ids) this.set({ shard: id }, cache.availability.isDown(id) ? 0 : 1);
    },
  });
  new Gauge({
    name: 'redis_cache_unreachable_servers',
    help: 'Redis servers (single, shards or cluster masters) currently unreachable',
    registers: [registry],
    collect() {
      this.set(cache.availability.down().length);
    },
  });
}
