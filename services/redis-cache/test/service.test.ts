import {
  type BackgroundProcess,
  cliTestKit,
  freePort,
  runNode,
  scrapeMetrics,
  sleep,
  startServe,
  stopAll,
  waitForHttp,
} from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testNamespace } from './helpers/namespace.js';
import { RedisServer } from './helpers/redis-servers.js';

const { CLI: cli } = cliTestKit(import.meta.url);
let redis: RedisServer;
let serve: BackgroundProcess;
let api: string;
let health: string;

beforeAll(async () => {
  redis = await RedisServer.start();
  const started = await startServe(cli, {
    CI: '1',
    REDIS_URL: redis.url,
    CACHE_NAMESPACE: testNamespace('serve'),
    DEMO_LOADER_DELAY_MS: '200',
    REDIS_OP_TIMEOUT_MS: '300',
    LOG_LEVEL: 'info',
  });
  ({ url: api, healthUrl: health, proc: serve } = started);
  await serve.waitForOutput(/redis-cache listening/);
  await waitForHttp(`${health}/readyz`);
});

afterAll(async () => {
  await serve?.stop('SIGKILL');
  await stopAll();
  await redis?.stop();
});

const readiness = async () =>
  (await (await fetch(`${health}/readyz`)).json()) as {
    status: string;
    checks: Record<string, { status: string; detail?: string }>;
  };

describe('redis-cache serve', () => {
  it('is ready with the redis check ok, caches over HTTP and counts in /metrics', async () => {
    expect(await readiness()).toMatchObject({ status: 'ok', checks: { redis: { status: 'ok' } } });
    expect(
      (
        await fetch(`${api}/cache/k1`, {
          method: 'PUT',
          body: '[1,2,3]',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(201);
    expect(await (await fetch(`${api}/cache/k1`)).json()).toEqual([1, 2, 3]);
    const metrics = (await scrapeMetrics(health)).text;
    expect(metrics).toMatch(/^redis_cache_hits_total\{shard="single",service="redis-cache"\} 1$/m);
    expect(metrics).toMatch(/^redis_cache_unreachable_servers\{service="redis-cache"\} 0$/m);
  });

  it('fails open when Redis dies: degraded but ready, loaders still answer, one log line; recovers by itself', async () => {
    await redis.kill();
    const started = Date.now();
    const demo = (await (await fetch(`${api}/demo/slow/x`)).json()) as {
      source: string;
      value: { key: string };
    };
    expect(demo.source).toBe('fail-open');
    expect(demo.value.key).toBe('x');
    expect(Date.now() - started).toBeLessThan(2_000);
    for (let i = 0; i < 5; i++) await fetch(`${api}/demo/slow/x`);
    const get = await fetch(`${api}/cache/k1`);
    expect(get.status).toBe(503);
    expect(await get.json()).toMatchObject({ error: { code: 'FOPNP_REDIS_CACHE_ERR_UNAVAILABLE' } });
    const ready = await fetch(`${health}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'degraded',
      checks: { redis: { status: 'degraded' } },
    });
    expect(serve.output().match(/redis unreachable: failing open/g)).toHaveLength(1);
    expect((await scrapeMetrics(health)).text).toMatch(
      /^redis_cache_fail_open_total\{shard="single",service="redis-cache"\} 6$/m,
    );

    await redis.launch();
    const deadline = Date.now() + 10_000;
    while ((await readiness()).status !== 'ok' && Date.now() < deadline) await sleep(100);
    expect((await readiness()).status).toBe('ok');
    // The log line may reach the pipe a moment after /readyz answers (pino writes asynchronously).
    await serve.waitForOutput(/redis reachable again: caching resumed/);
    const demo2 = (await (await fetch(`${api}/demo/slow/y`)).json()) as { source: string };
    const demo3 = (await (await fetch(`${api}/demo/slow/y`)).json()) as { source: string };
    expect([demo2.source, demo3.source]).toEqual(['loader', 'cache']);
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await serve.stop('SIGTERM')).toBe(0);
  });

  it('starts with Redis unreachable: ready but degraded, loaders answer', async () => {
    const nothing = await freePort();
    const {
      proc: lonely,
      port,
      healthPort,
    } = await startServe(cli, {
      CI: '1',
      REDIS_URL: `redis://127.0.0.1:${nothing}`,
      DEMO_LOADER_DELAY_MS: '10',
      REDIS_OP_TIMEOUT_MS: '300',
    });
    try {
      await lonely.waitForOutput(/starting with Redis unreachable: the cache fails open/);
      const ready = await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'degraded' });
      const demo = (await (await fetch(`http://127.0.0.1:${port}/demo/slow/z`)).json()) as { source: string };
      expect(demo.source).toBe('fail-open');
    } finally {
      expect(await lonely.stop('SIGTERM')).toBe(0);
    }
  });

  it('refuses a sharded topology without shards, naming the variable to set', async () => {
    const r = await runNode(cli, ['serve', '--topology', 'sharded', '--port', '0', '--health-port', '0'], {
      env: { REDIS_SHARDS: '' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid value for --shards: the sharded topology needs REDIS_SHARDS=/);
  });
});
