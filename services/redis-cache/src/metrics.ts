/** Prometheus metrics of a Cache, read from its counters at scrape time. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Cache, CacheStats } from './cache.js';

const COUNTERS: [keyof CacheStats, string, string][] = [
  ['hits', 'redis_cache_hits_total', 'lookups answered from Redis'],
  ['misses', 'redis_cache_misses_total', 'lookups that found nothing in Redis'],
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
  ['failOpen', 'redis_cache_fail_open_total', 'loader calls made because Redis was unreachable'],
  ['oversize', 'redis_cache_oversize_total', 'loaded values not cached because they exceeded the size limit'],
  ['outages', 'redis_cache_outages_total', 'times a Redis server became unreachable'],
];

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
  new Gauge({
    name: 'redis_cache_unreachable_servers',
    help: 'Redis servers (single, shards or cluster masters) currently unreachable',
    registers: [registry],
    collect() {
      this.set(cache.availability.down().length);
    },
  });
}
