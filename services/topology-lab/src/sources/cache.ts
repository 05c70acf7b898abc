/**
 * redis-cache's HTTP API, as the lab uses it: its /stats each poll (status, which servers it
 * finds down, fail-opens), and for the "Redis down" scenario a few fixed calls — where a key
 * lives (/where/demo:K) and the cache-aside demo (/demo/slow/K), whose answer says whether it
 * came from the cache, the loader, or the loader because Redis was down (fail-open).
 */
import type { CacheStatsView } from '../snapshot.js';
import { getText } from './http.js';
import { addressOfUrl } from './redis.js';

export interface DemoAnswer {
  source: string;
  ms: number;
}

export class CacheClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 3_000,
  ) {}

  private async json<T>(path: string): Promise<T> {
    const r = await getText(`${this.baseUrl.replace(/\/$/, '')}${path}`, this.timeoutMs);
    if (r.status !== 200) throw new Error(`redis-cache ${path}: HTTP ${r.status}`);
    return JSON.parse(r.text) as T;
  }

  async stats(): Promise<CacheStatsView> {
    try {
      const s = await this.json<{
        topology: string;
        status: string;
        down: string[];
        failOpen: number;
        hits: number;
        misses: number;
      }>('/stats');
      return {
        health: 'up',
        topology: s.topology,
        status: s.status,
        down: s.down,
        failOpen: s.failOpen,
        hits: s.hits,
        misses: s.misses,
      };
    } catch {
      return CacheClient.down();
    }
  }

  static down(): CacheStatsView {
    return {
      health: 'down',
      topology: null,
      status: null,
      down: [],
      failOpen: null,
      hits: null,
      misses: null,
    };
  }

  /** host:port of the server holding the demo key K (the demo route caches under demo:K). */
  async serverOfDemoKey(key: string): Promise<string> {
    const w = await this.json<{ server: string }>(`/where/${encodeURIComponent(`demo:${key}`)}`);
    return addressOfUrl(w.server);
  }

  async demo(key: string): Promise<DemoAnswer> {
    return this.json<DemoAnswer>(`/demo/slow/${encodeURIComponent(key)}`);
  }
}
