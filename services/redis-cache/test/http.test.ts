import type { AddressInfo } from 'node:net';
import { run } from '@fopnp/net/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/cache.js';
import { createCacheServer } from '../src/server.js';
import { SingleTopology } from '../src/topology/single.js';
import { SHARED_REDIS_URL, testNamespace } from './helpers/namespace.js';

let cache: Cache;
let app: FastifyInstance;
let base: string;
const DEMO_DELAY = 300;

beforeAll(async () => {
  cache = new Cache({
    topology: new SingleTopology(SHARED_REDIS_URL),
    namespace: testNamespace('http'),
    maxValueBytes: 1000,
  });
  app = createCacheServer({ cache, demoDelayMs: DEMO_DELAY });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  await cache?.clear();
  await cache?.close();
});

const put = (key: string, body: string, type: string | null = 'application/json') =>
  fetch(`${base}/cache/${key}`, { method: 'PUT', body, headers: type ? { 'content-type': type } : {} });

describe('the HTTP cache API', () => {
  it('stores a JSON value with PUT and serves it with GET, to fetch and to curl', async () => {
    const res = await put('greeting', JSON.stringify({ text: 'hello', n: 1 }));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ key: 'greeting', bytes: 23 });
    const got = await fetch(`${base}/cache/greeting`);
    expect(got.status).toBe(200);
    expect(got.headers.get('x-cache')).toBe('hit');
    expect(await got.json()).toEqual({ text: 'hello', n: 1 });
    const curl = await run('curl', ['-s', '-i', `${base}/cache/greeting`]);
    expect(curl.stdout).toMatch(/^HTTP\/1\.1 200/);
    expect(curl.stdout).toMatch(/content-type: application\/json/i);
    expect(curl.stdout.trim().endsWith('{"text":"hello","n":1}')).toBe(true);
  });

  it('honours ?ttlMs= and rejects a bad one', async () => {
    expect(
      (
        await fetch(`${base}/cache/short?ttlMs=5000`, {
          method: 'PUT',
          body: '1',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(201);
    const route = cache.topology.route(cache.keys.data('short'));
    const pttl = await route.client.pttl(cache.keys.data('short'));
    expect(pttl).toBeGreaterThan(4000);
    expect(pttl).toBeLessThanOrEqual(5500);
    const bad = await fetch(`${base}/cache/short?ttlMs=soon`, {
      method: 'PUT',
      body: '1',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'FOPNP_REDIS_CACHE_ERR_INVALID_TTL' } });
    // Past Redis' range: a client's bad input, not a Redis outage (it used to be a 503).
    const huge = await fetch(`${base}/cache/short?ttlMs=${'9'.repeat(20)}`, {
      method: 'PUT',
      body: '1',
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.status).toBe(400);
    expect(await huge.json()).toMatchObject({ error: { code: 'FOPNP_REDIS_CACHE_ERR_INVALID_TTL' } });
    expect(cache.stats().outages).toBe(0);
  });

  it('answers 404 with a JSON error for a key not cached, and DELETE says whether it removed one', async () => {
    await put('doomed', '"x"');
    expect(await (await fetch(`${base}/cache/doomed`, { method: 'DELETE' })).json()).toEqual({
      key: 'doomed',
      deleted: true,
    });
    expect(await (await fetch(`${base}/cache/doomed`, { method: 'DELETE' })).json()).toEqual({
      key: 'doomed',
      deleted: false,
    });
    const res = await fetch(`${base}/cache/doomed`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'FOPNP_REDIS_CACHE_ERR_NOT_FOUND', message: 'key "doomed" is not in the cache' },
    });
  });

  it('rejects empty, over-long and control-character keys with 400', async () => {
    for (const [url, pattern] of [
      ['/cache/', /empty/],
      [`/cache/${'k'.repeat(600)}`, /600 bytes; the limit is 512/],
      ['/cache/bad%01key', /control characters/],
      ['/cache/%E0%A4%A', /\/cache\/%E0%A4%A is not valid percent-encoding/],
    ] as const) {
      const res = await fetch(`${base}${url}`);
      expect(res.status, url).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('FOPNP_REDIS_CACHE_ERR_INVALID_KEY');
      expect(body.error.message).toMatch(pattern);
    }
  });

  it('rejects a wrong or missing content type with 415 and malformed JSON with 400', async () => {
    for (const type of ['text/plain', null]) {
      const res = await put('typed', 'plain words', type);
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({
        error: { code: 'FOPNP_REDIS_CACHE_ERR_UNSUPPORTED_MEDIA_TYPE' },
      });
    }
    const bad = await put('typed', '{"unterminated": ');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'FOPNP_REDIS_CACHE_ERR_INVALID_VALUE' } });
  });

  it('answers 413 for a value over the limit, whether fastify or the cache notices', async () => {
    const over = await put('big', JSON.stringify('x'.repeat(2000)));
    expect(over.status).toBe(413);
    expect(await over.json()).toMatchObject({
      error: {
        code: 'FOPNP_REDIS_CACHE_ERR_VALUE_TOO_LARGE',
        message: /2003 bytes exceeds the limit of 1000/,
      },
    });
    const huge = await put('big', JSON.stringify('x'.repeat(200_000)));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { code: 'FOPNP_REDIS_CACHE_ERR_VALUE_TOO_LARGE' } });
    expect((await fetch(`${base}/cache/big`)).status).toBe(404);
  });

  it('shows the slow loader on a miss and Redis speed on the hit', async () => {
    const first = (await (await fetch(`${base}/demo/slow/report`)).json()) as { source: string; ms: number };
    const second = (await (await fetch(`${base}/demo/slow/report`)).json()) as { source: string; ms: number };
    expect(first.source).toBe('loader');
    expect(first.ms).toBeGreaterThanOrEqual(DEMO_DELAY - 5);
    expect(second.source).toBe('cache');
    expect(second.ms).toBeLessThan(DEMO_DELAY / 3);
  });

  it('reports hits, misses, ratio, loader calls and keys per shard on /stats', async () => {
    const stats = (await (await fetch(`${base}/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ topology: 'single', status: 'ok', down: [] });
    expect(stats.hits).toBeGreaterThanOrEqual(2);
    expect(stats.misses).toBeGreaterThanOrEqual(1);
    expect(stats.loaderCalls).toBe(1);
    expect(typeof stats.hitRatio).toBe('number');
    expect(stats.shards).toEqual([{ id: 'single', keys: 3 }]);
  });

  it('answers unknown routes with a JSON 404 naming the real ones', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: { code: 'FOPNP_REDIS_CACHE_ERR_NO_ROUTE', message: /GET\/PUT\/DELETE \/cache\/:key/ },
    });
  });
});
