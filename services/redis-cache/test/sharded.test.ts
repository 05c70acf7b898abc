import { capturingLogger, sleep } from '@fopnp/net/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/cache.js';
import { measureLiveMovement } from '../src/live-movement.js';
import { createCacheServer } from '../src/server.js';
import { createStrategy, STRATEGY_NAMES } from '../src/sharding/strategies.js';
import { loadWords, shippedWordsPath } from '../src/sharding/words.js';
import { ShardedTopology } from '../src/topology/sharded.js';
import { testNamespace } from './helpers/namespace.js';
import { type RedisServer, startRedisServers, stopRedisServers } from './helpers/redis-servers.js';

let servers: RedisServer[] = [];
/** Plain connections to each server, to see where keys really landed. */
let direct: Redis[] = [];
const caches: Cache[] = [];

beforeAll(async () => {
  servers = await startRedisServers(4);
  // The fail-open test kills a server; these plain clients just reconnect quietly.
  direct = servers.map((s) => new Redis(s.url).on('error', () => {}));
});

afterAll(async () => {
  for (const c of direct) c.disconnect();
  await Promise.all(caches.map((c) => c.close()));
  await stopRedisServers(servers);
});

const words = loadWords(shippedWordsPath());

describe('client-side sharding across real redis-server processes', () => {
  it.each(STRATEGY_NAMES)(
    '%s puts each key on the shard the strategy names, and nowhere else',
    async (name) => {
      const urls = servers.slice(0, 3).map((s) => s.url);
      const cache = new Cache({ topology: new ShardedTopology(urls, name), namespace: testNamespace(name) });
      caches.push(cache);
      const strategy = createStrategy(name, 3);
      const sample = words.filter((_, i) => i % 350 === 0);
      await Promise.all(sample.map((w) => cache.set(w, w.length)));
      const where = await Promise.all(
        sample.map((w) => Promise.all(direct.slice(0, 3).map((c) => c.exists(cache.keys.data(w))))),
      );
      sample.forEach((w, k) => {
        const owner = strategy.shardFor(w);
        expect(where[k], w).toEqual([0, 1, 2].map((i) => (i === owner ? 1 : 0)));
      });
      const counts = await cache.shardKeyCounts();
      expect(counts.reduce((a, c) => a + (c.keys ?? 0), 0)).toBe(sample.length);
      expect(await cache.clear()).toBe(sample.length);
    },
  );

  it('moves about 3/4 of the keys with md5 mod N and about 1/4 with jump or ketama when a fourth shard joins', async () => {
    const keys = words.filter((_, i) => i % 4 === 0);
    const urls = servers.slice(0, 3).map((s) => s.url);
    const result: Record<string, number> = {};
    for (const strategy of ['md5', 'jump', 'ketama'] as const) {
      const m = await measureLiveMovement({
        urls,
        added: servers[3]!.url,
        strategy,
        keys,
        namespace: testNamespace('move'),
      });
      expect(m.loaded).toBe(keys.length);
      expect(m.before.reduce((a: number, b) => a + (b ?? 0), 0)).toBe(keys.length);
      result[strategy] = m.share;
    }
    expect(result.md5).toBeGreaterThan(0.7);
    expect(result.md5).toBeLessThan(0.8);
    expect(result.jump).toBeGreaterThan(0.2);
    expect(result.jump).toBeLessThan(0.3);
    expect(result.ketama).toBeGreaterThan(0.15);
    expect(result.ketama).toBeLessThan(0.35);
    for (const c of direct) expect(await c.dbsize()).toBe(0);
  });

  it('reports keys per shard on GET /stats of the HTTP API', async () => {
    const urls = servers.slice(0, 3).map((s) => s.url);
    const cache = new Cache({
      topology: new ShardedTopology(urls, 'md5'),
      namespace: testNamespace('stats'),
    });
    caches.push(cache);
    const app = createCacheServer({ cache });
    const sample = words.slice(0, 90);
    for (const w of sample)
      expect(
        (
          await app.inject({
            method: 'PUT',
            url: `/cache/${w}`,
            payload: '1',
            headers: { 'content-type': 'application/json' },
          })
        ).statusCode,
      ).toBe(201);
    const stats = (await app.inject({ method: 'GET', url: '/stats' })).json() as {
      topology: string;
      shards: { id: string; keys: number }[];
    };
    const strategy = createStrategy('md5', 3);
    const expected = [0, 1, 2].map((i) => sample.filter((w) => strategy.shardFor(w) === i).length);
    expect(stats.topology).toBe('sharded');
    expect(stats.shards).toEqual(expected.map((keys, i) => ({ id: `shard${i}`, keys })));
    await app.close();
    await cache.clear();
  });

  it('fails open for the keys of a dead shard only, logs the outage once, and resumes by itself', async () => {
    const { logger, lines } = capturingLogger('redis-cache-test', 'info');
    const urls = servers.slice(0, 3).map((s) => s.url);
    const cache = new Cache({
      topology: new ShardedTopology(urls, 'jump', { commandTimeoutMs: 300, connectTimeoutMs: 300 }),
      namespace: testNamespace('failopen'),
      opTimeoutMs: 300,
      probeIntervalMs: 200,
      logger,
    });
    caches.push(cache);
    const strategy = createStrategy('jump', 3);
    const sample = words.slice(0, 60);
    const onDead = sample.filter((w) => strategy.shardFor(w) === 1);
    const onLive = sample.filter((w) => strategy.shardFor(w) !== 1);
    for (const w of sample) await cache.getOrLoad(w, () => `v:${w}`);

    await servers[1]!.kill();
    let loads = 0;
    for (const w of onDead) {
      const started = Date.now();
      const r = await cache.getOrLoadDetailed(w, () => {
        loads++;
        return `fresh:${w}`;
      });
      expect(r).toEqual({ value: `fresh:${w}`, source: 'fail-open' });
      expect(Date.now() - started).toBeLessThan(1_500);
    }
    expect(loads).toBe(onDead.length);
    for (const w of onLive) expect((await cache.getOrLoadDetailed(w, () => 'unused')).source).toBe('cache');
    expect(await cache.probe()).toEqual({ status: 'degraded', down: ['shard1'] });
    const outageLogs = lines().filter((l) => String(l.msg).startsWith('redis unreachable'));
    expect(outageLogs).toHaveLength(1);
    expect(outageLogs[0]).toMatchObject({ level: 'warn', redis: 'shard1' });

    await servers[1]!.launch();
    const deadline = Date.now() + 10_000;
    while (cache.availability.status() !== 'ok' && Date.now() < deadline) await sleep(100);
    expect(cache.availability.status()).toBe('ok');
    expect(lines().filter((l) => String(l.msg).startsWith('redis reachable again'))).toHaveLength(1);
    const w = onDead[0]!;
    expect((await cache.getOrLoadDetailed(w, () => 'after')).source).toBe('loader');
    expect((await cache.getOrLoadDetailed(w, () => 'unused')).source).toBe('cache');
    await cache.clear();
  });
});
