import { run } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/cache.js';
import { ValueTooLargeError } from '../src/errors.js';
import { acquireLock, releaseLock } from '../src/lock.js';
import { SingleTopology } from '../src/topology/single.js';
import { SHARED_REDIS_URL, testNamespace } from './helpers/namespace.js';

const namespace = testNamespace('single');
const caches: Cache[] = [];
function makeCache(opts: Partial<ConstructorParameters<typeof Cache>[0]> = {}): Cache {
  const cache = new Cache({ topology: new SingleTopology(SHARED_REDIS_URL), namespace, ...opts });
  caches.push(cache);
  return cache;
}

async function redisCli(...args: string[]): Promise<string> {
  const port = new URL(SHARED_REDIS_URL).port || '6379';
  const r = await run('redis-cli', ['-p', port, ...args]);
  return r.stdout.trim();
}

let cache: Cache;
beforeAll(async () => {
  cache = makeCache({ ttlMs: 60_000, ttlJitter: 0.2 });
  expect(await cache.topology.waitReady(5_000)).toBe(true);
});

afterAll(async () => {
  await cache.clear();
  expect(await redisCli('--scan', '--pattern', `${namespace}*`)).toBe('');
  await Promise.all(caches.map((c) => c.close()));
});

describe('cache-aside on one Redis', () => {
  it('calls the loader on a miss, then answers from Redis where redis-cli sees the namespaced entry', async () => {
    let calls = 0;
    const loader = () => {
      calls++;
      return { city: 'Tokyo', population: 37 };
    };
    const first = await cache.getOrLoadDetailed('city:tokyo', loader);
    const second = await cache.getOrLoadDetailed('city:tokyo', loader);
    expect(first).toEqual({ value: { city: 'Tokyo', population: 37 }, source: 'loader' });
    expect(second).toEqual({ value: { city: 'Tokyo', population: 37 }, source: 'cache' });
    expect(calls).toBe(1);
    expect(await redisCli('GET', `${namespace}:city:tokyo`)).toBe('j{"city":"Tokyo","population":37}');
  });

  it('stretches each TTL by a random jitter within the configured fraction', async () => {
    const ttls: number[] = [];
    for (let i = 0; i < 20; i++) {
      await cache.getOrLoad(`jitter:${i}`, () => i, { ttlMs: 10_000 });
      ttls.push(Number(await redisCli('PTTL', `${namespace}:jitter:${i}`)));
    }
    for (const t of ttls) {
      expect(t).toBeGreaterThan(9_000);
      expect(t).toBeLessThanOrEqual(12_000);
    }
    expect(new Set(ttls.map((t) => Math.round(t / 100))).size).toBeGreaterThan(3);
  });

  it('caches an absent answer for the negative TTL only', async () => {
    let calls = 0;
    const loader = () => {
      calls++;
      return undefined;
    };
    // 1 s, not less: redis-cli is a process spawn, slow on a loaded machine, and must read
    // the PTTL before the entry expires.
    expect(await cache.getOrLoad('user:404', loader, { negativeTtlMs: 1_000 })).toBeUndefined();
    expect(await cache.getOrLoad('user:404', loader)).toBeUndefined();
    expect(calls).toBe(1);
    expect(await cache.get('user:404')).toEqual({ shard: 'single', status: 'absent' });
    const pttl = Number(await redisCli('PTTL', `${namespace}:user:404`));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1_200); // jitter 0.2
    await new Promise((r) => setTimeout(r, 1_300));
    await cache.getOrLoad('user:404', loader);
    expect(calls).toBe(2);
  });

  it('refuses to store a value over maxValueBytes, and returns an oversize loaded value uncached', async () => {
    const small = makeCache({ maxValueBytes: 100 });
    await expect(small.set('big', 'x'.repeat(200))).rejects.toBeInstanceOf(ValueTooLargeError);
    const value = await small.getOrLoad('big', () => 'y'.repeat(200));
    expect(value).toBe('y'.repeat(200));
    expect(await small.get('big')).toEqual({ shard: 'single', status: 'miss' });
    expect(small.stats().oversize).toBe(1);
  });

  it('stores MessagePack when asked, and a JSON-configured cache still reads it', async () => {
    const packed = makeCache({ serializer: 'msgpack' });
    const value = { bytes: 3, list: [1, 2, 3], nested: { ok: true } };
    await packed.set('mp', value);
    const raw = await redisCli('--no-raw', 'GET', `${namespace}:mp`);
    expect(raw.startsWith('"m')).toBe(true);
    expect(await cache.get('mp')).toEqual({ shard: 'single', status: 'hit', value });
  });

  it('keeps namespaces apart', async () => {
    const other = new Cache({ topology: new SingleTopology(SHARED_REDIS_URL), namespace: `${namespace}-b` });
    caches.push(other);
    await other.set('shared-name', 'from b');
    await cache.set('shared-name', 'from a');
    expect(await other.get('shared-name')).toEqual({ shard: 'single', status: 'hit', value: 'from b' });
    expect(await cache.get('shared-name')).toEqual({ shard: 'single', status: 'hit', value: 'from a' });
    await other.clear();
    expect(await cache.get('shared-name')).toEqual({ shard: 'single', status: 'hit', value: 'from a' });
  });

  it('releases the loader lock only with the token that took it', async () => {
    const route = cache.topology.route('x');
    const lockKey = cache.keys.lock('lock-test');
    expect(await acquireLock(route.client, lockKey, 'token-a', 5_000)).toBe(true);
    expect(await acquireLock(route.client, lockKey, 'token-b', 5_000)).toBe(false);
    expect(await releaseLock(route.client, lockKey, 'token-b')).toBe(false);
    expect(await redisCli('GET', lockKey)).toBe('token-a');
    expect(await releaseLock(route.client, lockKey, 'token-a')).toBe(true);
    expect(await redisCli('EXISTS', lockKey)).toBe('0');
  });

  it('calls the loader exactly once for 500 concurrent misses on one key', async () => {
    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 100));
      return 'expensive';
    };
    const results = await Promise.all(
      Array.from({ length: 500 }, () => cache.getOrLoad('stampede:1', loader)),
    );
    expect(calls).toBe(1);
    expect(results.every((r) => r === 'expensive')).toBe(true);
    expect(await redisCli('EXISTS', cache.keys.lock('stampede:1'))).toBe('0');
  });

  it('passes a loader error to every waiting caller, caches nothing and frees the lock', async () => {
    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('database down');
    };
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => cache.getOrLoad('fails', loader)),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
    expect(await cache.get('fails')).toEqual({ shard: 'single', status: 'miss' });
    expect(await redisCli('EXISTS', cache.keys.lock('fails'))).toBe('0');
    expect(await cache.getOrLoad('fails', () => 'recovered')).toBe('recovered');
  });

  it('counts hits, misses and loader calls', async () => {
    const fresh = makeCache();
    await fresh.getOrLoad('stats:a', () => 1);
    await fresh.getOrLoad('stats:a', () => 1);
    await fresh.getOrLoad('stats:a', () => 1);
    const s = fresh.stats();
    expect(s).toMatchObject({ hits: 2, misses: 1, loaderCalls: 1 });
    expect(s.hitRatio).toBeCloseTo(2 / 3);
    const counts = await fresh.shardKeyCounts();
    expect(counts).toHaveLength(1);
    expect(counts[0]!.keys).toBeGreaterThan(5);
  });
});
