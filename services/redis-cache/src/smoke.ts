/**
 * redis-cache's smoke check, the same for every topology: a slow key misses and loads,
 * the same key again is a hit with the same value, and /stats shows the topology the
 * instance was configured with, all of it up.
 */
import { defineSmoke, smokeFetch } from '@fopnp/net';

interface Lookup {
  source?: string;
  value?: unknown;
  ms?: number;
}

export const smoke = defineSmoke([
  {
    name: 'cache miss then hit',
    async run(t) {
      const base = `http://${t.host}:${t.port('http')}`;
      const url = `${base}/demo/slow/smoke-${t.instance}-${Date.now()}`;
      const first = await smokeFetch(url);
      const second = await smokeFetch(url);
      if (first.status !== 200 || second.status !== 200)
        throw new Error(`HTTP ${first.status}/${second.status}: ${first.text.slice(0, 200)}`);
      const [a, b] = [first.json as Lookup, second.json as Lookup];
      if (a.source !== 'loader' || b.source !== 'cache')
        throw new Error(`expected a miss (loader) then a hit (cache), got ${a.source} then ${b.source}`);
      if (JSON.stringify(a.value) !== JSON.stringify(b.value))
        throw new Error('the hit returned another value');
      const stats = (await smokeFetch(`${base}/stats`)).json as {
        topology?: string;
        status?: string;
        down?: unknown;
      };
      const topology = t.env.CACHE_TOPOLOGY ?? 'single';
      if (stats.topology !== topology)
        throw new Error(`runs the ${stats.topology} topology, not ${topology}`);
      if (stats.status !== 'ok')
        throw new Error(`status ${stats.status}, down: ${JSON.stringify(stats.down)}`);
      return `${topology}: miss ${a.ms} ms (slow loader), then hit ${b.ms} ms`;
    },
  },
]);
