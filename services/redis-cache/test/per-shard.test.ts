import { cliTestKit, runNode, sleep } from '@fopnp/net/testing';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/cache.js';
import { registerCacheMetrics } from '../src/metrics.js';
import { createCacheServer } from '../src/server.js';
import { createStrategy } from '../src/sharding/strategies.js';
import { loadWords, shippedWordsPath } from '../src/sharding/words.js';
import { ShardedTopology } from '../src/topology/sharded.js';
import { testNamespace } from './helpers/namespace.js';
import { type RedisServer, startRedisServers, stopRedisServers } from './helpers/redis-servers.js';

const { CLI: cli } = cliTestKit(import.meta.url);
const words = loadWords(shippedWordsPath()).filter((_, i) => i % 97 === 0);
let servers: RedisServer[] = [];
let direct: Redis[] = [];
let cache: Cache;
let registry: Registry;
const strategy = createStrategy('ketama', 3);

beforeAll(async () => {
  servers = await startRedisServers(3);
  direct = servers.map((s) => new Redis(s.url).on('error', () => {}));
  cache = new Cache({
    topology: new ShardedTopology(
      servers.map((s) => s.url),
      'ketama',
      { commandTimeoutMs: 300, connectTimeoutMs: 300 },
    ),
    namespace: testNamespace('pershard'),
    opTimeoutMs: 300,
    probeIntervalMs: 200,
  });
  registry = new Registry();
  registerCacheMetrics(registry, cache);
  await cache.started();
});

afterAll(async () => {
  for (const c of direct) c.disconnect();
  await cache?.clear().catch(() => 0);
  await cache?.close();
  await stopRedisServers(servers);
});

/** metric{shard="x"} value, from the registry's text exposition. */
async function series(name: string): Promise<Record<string, number>> {
  const text = await registry.metrics();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(new RegExp(`^${name}\\{shard="([^"]+)"\\} (\\S+)$`, 'gm')))
    out[m[1]!] = Number(m[2]);
  return out;
}

const expectedPerShard = (keys: readonly string[]) => {
  const counts: Record<string, number> = { shard0: 0, shard1: 0, shard2: 0 };
  for (const k of keys) counts[`shard${strategy.shardFor(k)}`]!++;
  return counts;
};

describe('numbers per shard', () => {
  it('counts misses, hits, keys and call latency under the shard that served each key', async () => {
    for (const w of words) await cache.getOrLoad(w, () => w.length); // one miss each
    for (const w of words) await cache.getOrLoad(w, () => -1); // one hit each
    const expected = expectedPerShard(words);
    // Every shard got some keys, so the comparison below means something.
    for (const n of Object.values(expected)) expect(n).toBeGreaterThan(10);
    expect(await series('redis_cache_misses_total')).toEqual(expected);
    expect(await series('redis_cache_hits_total')).toEqual(expected);
    expect(await series('redis_cache_keys')).toEqual(expected);
    expect(await series('redis_cache_fail_open_total')).toEqual({ shard0: 0, shard1: 0, shard2: 0 });
    expect(await series('redis_cache_shard_up')).toEqual({ shard0: 1, shard1: 1, shard2: 1 });
    // A miss is GET, lock, GET again, SET, unlock (5 calls); a hit one GET: 6 per key at least.
    const text = await registry.metrics();
    for (const [shard, n] of Object.entries(expected)) {
      const count = Number(
        text.match(
          new RegExp(`^redis_cache_redis_call_duration_seconds_count\\{shard="${shard}"\\} (\\d+)$`, 'm'),
        )?.[1],
      );
      expect(count).toBeGreaterThanOrEqual(6 * n);
    }
    // The counts agree with what the servers hold.
    const dbsizes = await Promise.all(direct.map((c) => c.dbsize()));
    expect(dbsizes).toEqual([expected.shard0, expected.shard1, expected.shard2]);
  });

  it('names the shard of every read in x-cache-shard, and /where/:key agrees with where the key is', async () => {
    const app = createCacheServer({ cache });
    try {
      for (const w of words.slice(0, 30)) {
        const owner = `shard${strategy.shardFor(w)}`;
        const got = await app.inject({ method: 'GET', url: `/cache/${encodeURIComponent(w)}` });
        expect(got.statusCode).toBe(200);
        expect(got.headers['x-cache-shard']).toBe(owner);
        const where = (await app.inject({ method: 'GET', url: `/where/${encodeURIComponent(w)}` })).json();
        expect(where).toMatchObject({ key: w, redisKey: cache.keys.data(w), shard: owner });
        expect(where.server).toBe(servers[strategy.shardFor(w)]!.url);
        expect(await direct[strategy.shardFor(w)]!.exists(cache.keys.data(w))).toBe(1);
      }
      const miss = await app.inject({ method: 'GET', url: '/cache/not-there-at-all' });
      expect(miss.statusCode).toBe(404);
      expect(miss.headers['x-cache-shard']).toBe(`shard${strategy.shardFor('not-there-at-all')}`);
      const stats = (await app.inject({ method: 'GET', url: '/stats' })).json() as {
        perShard: { shard: string; hits: number }[];
      };
      expect(stats.perShard.map((r) => r.shard)).toEqual(['shard0', 'shard1', 'shard2']);
    } finally {
      await app.close();
    }
  });

  // Six runs of the CLI: 30 s was not enough for them at load 56.
  it('`redis-cache where KEY` prints the shard and server, as the library places the key', {
    timeout: 120_000,
  }, async () => {
    const shards = servers.map((s) => s.url).join(',');
    for (const w of words.slice(0, 5)) {
      const r = await runNode(cli, [
        'where',
        w,
        '--topology',
        'sharded',
        '--shards',
        shards,
        '--strategy',
        'ketama',
        '--namespace',
        cache.keys.namespace,
      ]);
      expect(r.code).toBe(0);
      const i = strategy.shardFor(w);
      expect(r.stdout).toBe(
        `${w} -> shard${i} ${servers[i]!.url}\n   ketama over 3 shards of the key "${w}" (Redis key ${cache.keys.data(w)})\n`,
      );
    }
    const bad = await runNode(cli, ['where', '', '--topology', 'single']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid value for KEY: invalid cache key: the key is empty/);
    const noReplicas = await runNode(cli, ['where', 'k', '--topology', 'single', '--replica-reads']);
    expect(noReplicas.code).toBe(2);
    expect(noReplicas.stderr).toMatch(
      /invalid value for --replica-reads: only the cluster and sentinel topologies have replicas to read from \(topology is single\)/,
    );
  });

  it("shows a dead shard's effect: fail-opens and shard_up 0 on that label only", async () => {
    const before = await series('redis_cache_fail_open_total');
    const onDead = words.filter((w) => strategy.shardFor(w) === 2);
    await servers[2]!.kill();
    for (const w of words) await cache.getOrLoad(w, () => 0);
    const after = await series('redis_cache_fail_open_total');
    expect(after.shard2! - before.shard2!).toBe(onDead.length);
    expect(after.shard0).toBe(before.shard0);
    expect(after.shard1).toBe(before.shard1);
    expect(await series('redis_cache_shard_up')).toEqual({ shard0: 1, shard1: 1, shard2: 0 });
    // The dead shard's keys cannot be counted; the live ones still are.
    expect(Object.keys(await series('redis_cache_keys')).sort()).toEqual(['shard0', 'shard1']);
    await servers[2]!.launch();
    const deadline = Date.now() + 10_000;
    while (cache.availability.status() !== 'ok' && Date.now() < deadline) await sleep(100);
    expect(await series('redis_cache_shard_up')).toEqual({ shard0: 1, shard1: 1, shard2: 1 });
  });
});
