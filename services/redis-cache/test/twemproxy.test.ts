import { capturingLogger, cliTestKit, runNode, sleep } from '@fopnp/net/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/cache.js';
import { createStrategy, type PoolOptions, type ShardStrategy } from '../src/sharding/strategies.js';
import { TWEMPROXY_HASHES, type TwemproxyHashName } from '../src/sharding/twemproxy-hash.js';
import { loadWords, shippedWordsPath } from '../src/sharding/words.js';
import { waitClientReady } from '../src/topology/connection.js';
import { connectProxy, ProxyTopology } from '../src/topology/proxy.js';
import { ShardedTopology } from '../src/topology/sharded.js';
import { testNamespace } from './helpers/namespace.js';
import { type RedisServer, startRedisServers, stopRedisServers } from './helpers/redis-servers.js';
import { type PoolSpec, Twemproxy } from './helpers/twemproxy.js';

const { CLI: cli } = cliTestKit(import.meta.url);
const KEYS = 10_000;
// 9,000 words and 1,000 non-ASCII keys: twemproxy reads bytes as signed char, which changes
// the FNV, one_at_a_time and hsieh hashes of any byte >= 0x80.
const keys = [
  ...[...new Set(loadWords(shippedWordsPath()))].slice(0, KEYS - 1000),
  ...Array.from({ length: 1000 }, (_, i) => `clé:${i}:東京-ü`),
];

interface Combo {
  pool: string;
  distribution: 'ketama' | 'modula';
  options: PoolOptions & { hash: TwemproxyHashName };
  /** Ketama names as the YAML gives them; undefined = unnamed (twemproxy uses host:port). */
  named: boolean;
}

const combos: Combo[] = [
  ...TWEMPROXY_HASHES.flatMap((hash): Combo[] => [
    { pool: `ketama_${hash}`, distribution: 'ketama', options: { hash }, named: true },
    // Unnamed: twemproxy counts modula's servers in the order of their "host:port" names.
    { pool: `modula_${hash}`, distribution: 'modula', options: { hash }, named: false },
  ]),
  {
    pool: 'modula_named',
    distribution: 'modula',
    // Named against their order: twemproxy counts them web-a, web-b, ... (sorted by name).
    options: { hash: 'fnv1a_64', names: ['web-d', 'web-c', 'web-b', 'web-a'] },
    named: true,
  },
  // Named in list order: the pool our book `hash` (FNV-1a mod N, list order) can agree with.
  { pool: 'modula_fnv1a_32_named', distribution: 'modula', options: { hash: 'fnv1a_32' }, named: true },
  { pool: 'ketama_unnamed', distribution: 'ketama', options: { hash: 'fnv1a_64' }, named: false },
  {
    pool: 'ketama_weighted',
    distribution: 'ketama',
    options: { hash: 'md5', weights: [1, 2, 1, 3] },
    named: true,
  },
  {
    pool: 'modula_weighted',
    distribution: 'modula',
    options: { hash: 'fnv1a_64', weights: [1, 2, 1, 3] },
    named: false,
  },
];

let servers: RedisServer[] = [];
let direct: Redis[] = [];
let proxy: Twemproxy | undefined;
const CACHE_POOL = 'cache_pool';

beforeAll(async () => {
  servers = await startRedisServers(4);
  direct = servers.map((s) => new Redis(s.url).on('error', () => {}));
  const pools: PoolSpec[] = combos.map((c) => ({
    name: c.pool,
    distribution: c.distribution,
    hash: c.options.hash,
    servers: servers.map(
      (s, i) =>
        `${s.address}:${c.options.weights?.[i] ?? 1}${c.named ? ` ${c.options.names?.[i] ?? `server${i}`}` : ''}`,
    ),
  }));
  // The pool the cache tests use: twemproxy's defaults (ketama, fnv1a_64, unnamed servers).
  pools.push({
    name: CACHE_POOL,
    distribution: 'ketama',
    hash: 'fnv1a_64',
    servers: servers.map((s) => `${s.address}:1`),
  });
  proxy = await Twemproxy.start(pools);
}, 60_000);

afterAll(async () => {
  for (const c of direct) c.disconnect();
  await proxy?.stop();
  await stopRedisServers(servers);
});

function ourStrategy(c: Combo): ShardStrategy {
  return createStrategy(c.distribution, servers.length, {
    ...c.options,
    ...(c.named ? {} : { names: servers.map((s) => s.address) }),
    ...(c.options.names ? { names: c.options.names } : {}),
  });
}

/** Which server holds each key (SCAN of all four). */
async function actualPlacement(): Promise<Map<string, number>> {
  const where = new Map<string, number>();
  for (const [i, c] of direct.entries()) {
    let cursor = '0';
    do {
      const [next, found] = await c.scan(cursor, 'COUNT', 2000);
      cursor = next;
      for (const k of found) where.set(k, i);
    } while (cursor !== '0');
  }
  return where;
}

/** Share of keys (of the ones given) that `s` places where twemproxy did. */
function agreement(s: ShardStrategy, actual: Map<string, number>, only: readonly string[]): number {
  return only.filter((k) => s.shardFor(k) === actual.get(k)).length / only.length;
}

const table: string[] = [];
const spread: string[] = [];
const ascii = keys.filter((k) => /^[\x20-\x7e]*$/.test(k));

describe('twemproxy (nutcracker) and our strategies place every key alike', () => {
  it.each(combos)(
    '$pool: 10,000 keys written through twemproxy are all on the server our strategy names',
    async (combo) => {
      await Promise.all(direct.map((c) => c.flushall()));
      // A generous command timeout: the machine is shared and 10,000 writes go through a proxy.
      const through = connectProxy(proxy!.url(combo.pool), { commandTimeoutMs: 30_000 });
      try {
        expect(await waitClientReady(through, 5_000)).toBe(true);
        for (let at = 0; at < keys.length; at += 1000) {
          const write = through.pipeline();
          for (const k of keys.slice(at, at + 1000)) write.set(k, '1');
          const results = (await write.exec()) ?? [];
          expect(results.filter(([err]) => err)).toEqual([]);
        }
      } finally {
        through.disconnect();
      }
      const ours = ourStrategy(combo);
      const expected: string[][] = servers.map(() => []);
      for (const k of keys) expected[ours.shardFor(k)]!.push(k);
      let found = 0;
      for (const [i, list] of expected.entries())
        for (let at = 0; at < list.length; at += 1000)
          found += await direct[i]!.exists(...list.slice(at, at + 1000));
      expect(found).toBe(KEYS);
      // ... and nowhere else: the four servers hold exactly the 10,000.
      const sizes = await Promise.all(direct.map((c) => c.dbsize()));
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(KEYS);
      // Every server got a share, so agreement is not trivially "all on one".
      spread.push(`${combo.pool}: ${sizes.join(' / ')}`);
      // Every server got a share, so agreement is not trivially "all on one" — except
      // ketama over crc32, whose 15-bit hashes all fall on the ring's first 1/131072.
      if (combo.pool !== 'ketama_crc32') for (const n of sizes) expect(n).toBeGreaterThan(500);

      if (['ketama_md5', 'modula_md5', 'modula_fnv1a_32_named', 'ketama_fnv1a_64'].includes(combo.pool)) {
        const actual = await actualPlacement();
        const row = (name: string, s: ShardStrategy) =>
          `${combo.pool} vs our ${name}: ${(agreement(s, actual, keys) * 100).toFixed(1)}% of all keys, ${(agreement(s, actual, ascii) * 100).toFixed(1)}% of ASCII keys`;
        table.push(row(`${combo.distribution} (${combo.options.hash})`, ours));
        table.push(row('book md5', createStrategy('md5', 4)));
        table.push(row('book hash', createStrategy('hash', 4)));
        table.push(row('default ketama', createStrategy('ketama', 4)));
      }
    },
    60_000,
  );

  it('the book-named strategies agree with twemproxy only where the table says', () => {
    // Printed for the README's agreement table.
    console.log(`${table.join('\n')}\n\nkeys per server:\n${spread.join('\n')}`);
    const pct = (pool: string, ours: string) =>
      Number(table.find((r) => r.startsWith(`${pool} vs our ${ours}:`))?.match(/: ([\d.]+)% of all/)?.[1]);
    // Our `hash` is FNV-1a over unsigned bytes, twemproxy's fnv1a_32 over signed chars. Mod 4
    // only sees the low two bits, which sign extension never reaches: they agree on every key.
    expect(pct('modula_fnv1a_32_named', 'book hash')).toBe(100);
    // Mod 3 sees all 32 bits: then they agree on ASCII keys only (twemproxy's side of this is
    // the ketama_fnv1a_32 run above, whose ring uses all 32 bits of the non-ASCII keys' hashes).
    const book3 = createStrategy('hash', 3);
    const modula3 = createStrategy('modula', 3, { hash: 'fnv1a_32' });
    const nonAscii = keys.filter((k) => !ascii.includes(k));
    expect(ascii.every((k) => book3.shardFor(k) === modula3.shardFor(k))).toBe(true);
    expect(nonAscii.filter((k) => book3.shardFor(k) !== modula3.shardFor(k)).length).toBeGreaterThan(300);
    // Our default ketama is twemproxy's ketama/md5 with servers named server0..3.
    expect(pct('ketama_md5', 'default ketama')).toBe(100);
    // The book's md5 (last digest byte mod N) is not twemproxy's modula/md5 (first four bytes).
    expect(pct('modula_md5', 'book md5')).toBeLessThan(40);
  });
});

describe('the proxy topology: the cache through twemproxy', () => {
  it('caches through twemproxy; each key is on the server locate() names, counted under it', async () => {
    const cache = new Cache({
      topology: new ProxyTopology({ url: proxy!.url(CACHE_POOL), servers: servers.map((s) => s.url) }),
      namespace: testNamespace('proxy'),
    });
    try {
      await cache.started();
      let calls = 0;
      const sample = keys.slice(0, 200);
      for (const k of sample) await cache.getOrLoad(k, () => ++calls);
      for (const k of sample) await cache.getOrLoad(k, () => ++calls);
      expect(calls).toBe(sample.length);
      const perServer = [0, 0, 0, 0];
      for (const k of sample) {
        const at = await cache.locate(k);
        const i = Number(at.shard.replace('shard', ''));
        perServer[i]!++;
        expect(at.server).toBe(servers[i]!.url);
        expect(await direct[i]!.exists(cache.keys.data(k))).toBe(1);
      }
      const hits = Object.fromEntries(cache.perShard.snapshot().map((r) => [r.shard, r.hits]));
      expect(hits).toEqual({
        shard0: perServer[0],
        shard1: perServer[1],
        shard2: perServer[2],
        shard3: perServer[3],
      });
      expect((await cache.shardKeyCounts()).map((c) => c.keys)).toEqual(perServer);
      expect(await cache.probe()).toEqual({ status: 'ok', down: [] });
      expect(await cache.clear()).toBe(sample.length);
    } finally {
      await cache.close();
    }
  });

  it('shares the servers with a client-side-sharded cache that hashes the whole Redis key', async () => {
    const namespace = testNamespace('shared');
    const proxied = new Cache({ topology: new ProxyTopology({ url: proxy!.url(CACHE_POOL) }), namespace });
    // Client-side: ketama, fnv1a_64, servers named host:port — the pool's settings, without the proxy.
    const sharded = new Cache({
      topology: new ShardedTopology(
        servers.map((s) => s.url),
        'ketama',
        {},
        { hash: 'fnv1a_64', names: servers.map((s) => s.address), hashInput: 'redis-key' },
      ),
      namespace,
    });
    try {
      await Promise.all([proxied.started(), sharded.started()]);
      const sample = keys.slice(5000, 5300);
      for (const k of sample) await proxied.set(k, `via proxy ${k}`);
      for (const k of sample)
        expect(await sharded.get(k)).toMatchObject({ status: 'hit', value: `via proxy ${k}` });
      for (const k of sample) await sharded.set(k, `direct ${k}`);
      for (const k of sample)
        expect(await proxied.get(k)).toMatchObject({ status: 'hit', value: `direct ${k}` });
      // Hashing the user key instead (the default) finds most of them on the wrong server.
      const userKeyed = new Cache({
        topology: new ShardedTopology(
          servers.map((s) => s.url),
          'ketama',
          {},
          { hash: 'fnv1a_64', names: servers.map((s) => s.address) },
        ),
        namespace,
      });
      const found = await Promise.all(sample.map((k) => userKeyed.get(k)));
      await userKeyed.close();
      expect(found.filter((f) => f.status === 'hit').length).toBeLessThan(sample.length / 2);
      expect(await sharded.clear()).toBe(sample.length);
    } finally {
      await proxied.close();
      await sharded.close();
    }
  });

  it('`redis-cache where` names the server twemproxy puts a key on', async () => {
    const namespace = testNamespace('where');
    const r = await runNode(cli, [
      'where',
      'user:42',
      '--topology',
      'proxy',
      '--proxy-url',
      proxy!.url(CACHE_POOL),
      '--shards',
      servers.map((s) => s.url).join(','),
      '--strategy',
      'ketama',
      '--namespace',
      namespace,
    ]);
    expect(r.code).toBe(0);
    const through = connectProxy(proxy!.url(CACHE_POOL));
    await waitClientReady(through, 5_000);
    await through.set(`${namespace}:user:42`, 'x');
    through.disconnect();
    const holder = (await Promise.all(direct.map((c) => c.exists(`${namespace}:user:42`)))).indexOf(1);
    expect(r.stdout).toContain(`user:42 -> shard${holder} ${servers[holder]!.url}\n`);
    expect(r.stdout).toMatch(/twemproxy's ketama\/fnv1a_64 of the Redis key/);
    await direct[holder]!.del(`${namespace}:user:42`);
    const bad = await runNode(cli, [
      'where',
      'k',
      '--topology',
      'proxy',
      '--shards',
      'redis://h:1',
      '--strategy',
      'jump',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--strategy: the proxy topology places keys as twemproxy does/);
    const noUrl = await runNode(cli, ['where', 'k', '--topology', 'proxy']);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/--proxy-url: the proxy topology needs TWEMPROXY_URL=/);
  });

  it('fails open for the keys of a dead server behind the proxy only, and resumes by itself', async () => {
    const { logger, lines } = capturingLogger('redis-cache-test', 'info');
    const cache = new Cache({
      topology: new ProxyTopology(
        { url: proxy!.url(CACHE_POOL), servers: servers.map((s) => s.url) },
        { commandTimeoutMs: 500, connectTimeoutMs: 300 },
      ),
      namespace: testNamespace('proxy-dead'),
      opTimeoutMs: 500,
      probeIntervalMs: 200,
      logger,
    });
    try {
      await cache.started();
      const sample = keys.slice(0, 80);
      for (const k of sample) await cache.getOrLoad(k, () => `v:${k}`);
      const owner = async (k: string) => (await cache.locate(k)).shard;
      const onDead: string[] = [];
      const onLive: string[] = [];
      for (const k of sample) ((await owner(k)) === 'shard2' ? onDead : onLive).push(k);
      expect(onDead.length).toBeGreaterThan(5);

      await servers[2]!.kill();
      for (const k of onDead)
        expect((await cache.getOrLoadDetailed(k, () => 'fresh')).source).toBe('fail-open');
      for (const k of onLive) expect((await cache.getOrLoadDetailed(k, () => 'unused')).source).toBe('cache');
      expect(await cache.probe()).toEqual({ status: 'degraded', down: ['shard2'] });
      expect(cache.perShard.of('shard2').failOpen).toBe(onDead.length);
      expect(cache.perShard.of('shard0').failOpen).toBe(0);
      expect(lines().filter((l) => String(l.msg).startsWith('redis unreachable'))).toHaveLength(1);

      await servers[2]!.launch();
      const deadline = Date.now() + 15_000;
      while (cache.availability.status() !== 'ok' && Date.now() < deadline) await sleep(200);
      expect(cache.availability.status()).toBe('ok');
      // Readiness comes from the cache's own probe; twemproxy retries an ejected server on its own
      // timer, so on a loaded machine the first calls through it may still fail open. It must
      // resume by itself within the deadline, loading once and then serving from the cache.
      const k = onDead[0]!;
      let resumed = await cache.getOrLoadDetailed(k, () => 'again');
      while (resumed.source === 'fail-open' && Date.now() < deadline) {
        await sleep(200);
        resumed = await cache.getOrLoadDetailed(k, () => 'again');
      }
      expect(resumed.source).toBe('loader');
      expect((await cache.getOrLoadDetailed(k, () => 'unused')).source).toBe('cache');
      // The cache's direct connection to the restarted server (for SCAN) reconnects on its own back-off.
      while ((await cache.shardKeyCounts()).some((c) => c.keys === null) && Date.now() < deadline)
        await sleep(200);
      await cache.clear();
    } finally {
      await cache.close();
    }
  });
});
