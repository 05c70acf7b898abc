/**
 * Entries another client planted under the cache's keys (issue 21), against a real `serve`
 * process and a real redis-server of the test's own: a 100 MB value is refused without being
 * read whole, and a list, untagged bytes or corrupt JSON are misses, neither an outage (503)
 * nor a server error (500).
 */
import {
  type BackgroundProcess,
  cliTestKit,
  peakRssMiB,
  scrapeMetrics,
  sleep,
  startServe,
  stopAll,
  waitForHttp,
} from '@fopnp/net/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/cache.js';
import { CacheUnavailableError } from '../src/errors.js';
import { SingleTopology } from '../src/topology/single.js';
import { testNamespace } from './helpers/namespace.js';
import { RedisServer } from './helpers/redis-servers.js';

const { CLI: cli } = cliTestKit(import.meta.url);
const namespace = testNamespace('hostile');
let redis: RedisServer;
let other: Redis;
let serve: BackgroundProcess;
let api: string;
let health: string;

beforeAll(async () => {
  redis = await RedisServer.start();
  other = new Redis(redis.url);
  ({
    url: api,
    healthUrl: health,
    proc: serve,
  } = await startServe(cli, {
    CI: '1',
    REDIS_URL: redis.url,
    CACHE_NAMESPACE: namespace,
    DEMO_LOADER_DELAY_MS: '10',
    LOG_LEVEL: 'info',
  }));
  await serve.waitForOutput(/redis-cache listening/);
  await waitForHttp(`${health}/readyz`);
});

afterAll(async () => {
  other?.disconnect();
  await serve?.stop('SIGKILL');
  await stopAll();
  await redis?.stop();
});

const metric = async (name: string) => (await scrapeMetrics(`${health}/metrics`)).value(name);

describe('entries another client planted', () => {
  it('refuses a 100 MB value without reading it whole: 502 with its size, counted, RSS flat', async () => {
    const big = Buffer.alloc(100 * 1024 * 1024, 0x6a); // starts with the JSON tag, like a real entry
    await other.set(`${namespace}:big`, big);
    await other.set(`${namespace}:demo:big`, big);
    const before = peakRssMiB(serve.child.pid!);

    const res = await fetch(`${api}/cache/big`);
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('FOPNP_REDIS_CACHE_ERR_STORED_VALUE_TOO_LARGE');
    expect(body.error.message).toContain('holds 104857600 bytes in Redis, over the limit of 1048576 bytes');

    // With a loader it is a miss: the loader answers and its value replaces the planted one.
    const demo = await fetch(`${api}/demo/slow/big`);
    expect(demo.status).toBe(200);
    expect(await demo.json()).toMatchObject({ source: 'loader', value: { key: 'big' } });
    expect(await other.strlen(`${namespace}:demo:big`)).toBeLessThan(1000);

    // Reading it whole cost +613 MiB; at most 1 MiB + 1 byte of each read now crosses the wire.
    expect(peakRssMiB(serve.child.pid!) - before).toBeLessThan(48);
    // get once; getOrLoad twice: its first look and its re-check once it holds the loader lock.
    expect(await metric('redis_cache_oversize_reads_total')).toBe(3);
    expect(await metric('redis_cache_outages_total')).toBe(0);
    await other.unlink(`${namespace}:big`);
  });

  it('answers a key holding a list as a miss (404), logged once, no outage, still ready', async () => {
    await other.rpush(`${namespace}:list`, 'a', 'b');
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${api}/cache/list`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'FOPNP_REDIS_CACHE_ERR_NOT_FOUND',
      );
    }
    expect(await metric('redis_cache_outages_total')).toBe(0);
    expect(await metric('redis_cache_unreachable_servers')).toBe(0);
    expect(await metric('redis_cache_foreign_entries_total')).toBe(3);
    const ready = await fetch(`${health}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok' });
    const warned = serve
      .output()
      .split('\n')
      .filter((l) => l.includes(`"key":"${namespace}:list"`) && l.includes('foreign or corrupt cache entry'));
    expect(warned).toHaveLength(1);
    expect(serve.output()).not.toMatch(/redis unreachable/);
  });

  it('answers untagged bytes and corrupt JSON behind a tag as misses (404), not 400 or 500', async () => {
    await other.set(`${namespace}:raw`, 'plain text someone else wrote');
    await other.set(`${namespace}:corrupt`, 'j{"half":');
    await other.set(`${namespace}:badpack`, Buffer.from([0x6d, 0xc1])); // 0xc1 is never used in MessagePack
    for (const key of ['raw', 'corrupt', 'badpack']) {
      const res = await fetch(`${api}/cache/${key}`);
      expect(res.status, key).toBe(404);
    }
    expect(await metric('redis_cache_foreign_entries_total')).toBe(6);
    expect(serve.output()).not.toMatch(/request failed/);
  });

  it('loads through a foreign entry with getOrLoad and stores its value over it', async () => {
    await other.rpush(`${namespace}:demo:listed`, 'x');
    const res = await fetch(`${api}/demo/slow/listed`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ source: 'loader', value: { key: 'listed' } });
    expect(await other.type(`${namespace}:demo:listed`)).toBe('string');
    const again = await fetch(`${api}/demo/slow/listed`);
    expect(await again.json()).toMatchObject({ source: 'cache' });
    expect(await metric('redis_cache_outages_total')).toBe(0);
  });
});

describe('one timeout per call', () => {
  it('still bounds a call to a hung Redis by opTimeoutMs with ioredis commandTimeout alone', async () => {
    const hung = await RedisServer.start();
    const cache = new Cache({
      topology: new SingleTopology(hung.url, { commandTimeoutMs: 300 }),
      namespace: testNamespace('hung'),
      opTimeoutMs: 300,
      probeIntervalMs: 5_000,
    });
    try {
      await cache.set('k', 'v');
      process.kill(hung.child!.pid!, 'SIGSTOP');
      const started = performance.now();
      await expect(cache.get('k')).rejects.toBeInstanceOf(CacheUnavailableError);
      const ms = performance.now() - started;
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(3_000);
      expect(cache.stats().outages).toBe(1);
    } finally {
      process.kill(hung.child!.pid!, 'SIGCONT');
      await sleep(50);
      await cache.close();
      await hung.stop();
    }
  });
});
