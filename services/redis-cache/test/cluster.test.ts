import { capturingLogger, freePort, sleep } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/cache.js';
import { CacheUnavailableError } from '../src/errors.js';
import { ClusterTopology } from '../src/topology/cluster.js';
import { testNamespace } from './helpers/namespace.js';
import {
  type RedisServer,
  startCluster,
  stopRedisServers,
  type TestCluster,
  waitClusterOk,
} from './helpers/redis-servers.js';
import { immediateStaleReads, staleReadAfterWrite } from './helpers/staleness.js';

let cluster: TestCluster | undefined;
let cache: Cache;
const capture = capturingLogger('redis-cache-test', 'info');

beforeAll(async () => {
  cluster = await startCluster(1000);
  cache = new Cache({
    topology: new ClusterTopology(cluster.seeds, { commandTimeoutMs: 500, connectTimeoutMs: 500 }),
    namespace: testNamespace('cluster'),
    opTimeoutMs: 500,
    probeIntervalMs: 250,
    logger: capture.logger,
  });
  await cache.started();
}, 60_000);

afterAll(async () => {
  await cache?.close();
  await stopRedisServers(cluster?.nodes ?? []);
});

async function role(server: RedisServer): Promise<string> {
  return (await server.cli('ROLE')).split('\n')[0]!;
}

/** The live master process holding `redisKey`. */
async function masterOf(redisKey: string): Promise<RedisServer> {
  for (const node of cluster!.nodes) {
    if (node.child?.exitCode !== null || node.child?.signalCode !== null) continue;
    if ((await role(node)) !== 'master') continue;
    if ((await node.cli('EXISTS', redisKey)) === '1') return node;
  }
  throw new Error(`no master holds ${redisKey}`);
}

describe('a Redis Cluster nobody can reach', () => {
  it('is degraded from the first probe, before any call failed', async () => {
    const { logger, lines } = capturingLogger('redis-cache-test', 'info');
    const nowhere = new Cache({
      topology: new ClusterTopology([`127.0.0.1:${await freePort()}`], { connectTimeoutMs: 300 }),
      namespace: testNamespace('nowhere'),
      connectWaitMs: 300,
      opTimeoutMs: 300,
      logger,
    });
    try {
      await nowhere.started();
      expect(await nowhere.probe()).toEqual({ status: 'degraded', down: ['cluster'] });
      expect(lines().filter((l) => String(l.msg).startsWith('redis unreachable'))).toHaveLength(1);
      expect((await nowhere.getOrLoadDetailed('k', () => 'loaded')).source).toBe('fail-open');
    } finally {
      await nowhere.close();
    }
  });
});

describe('Redis Cluster (3 masters, 3 replicas) through ioredis.Cluster', () => {
  it('was built by redis-cli --cluster create with three masters and three replicas', async () => {
    const roles = await Promise.all(cluster!.nodes.map(role));
    expect(roles.filter((r) => r === 'master')).toHaveLength(3);
    expect(roles.filter((r) => r === 'slave')).toHaveLength(3);
  });

  it('caches across the masters, each key on the master owning its slot', async () => {
    let calls = 0;
    for (let i = 0; i < 60; i++) await cache.getOrLoad(`item:${i}`, () => ++calls);
    for (let i = 0; i < 60; i++) await cache.getOrLoad(`item:${i}`, () => ++calls);
    expect(calls).toBe(60);
    const counts = await cache.shardKeyCounts();
    expect(counts).toHaveLength(3);
    for (const c of counts) expect(c.keys).toBeGreaterThan(5);
    expect(counts.reduce((a, c) => a + (c.keys ?? 0), 0)).toBe(60);
  });

  it('locates each key on the master that holds it and counts hits under that master', async () => {
    const before = new Map(cache.perShard.snapshot().map((r) => [r.shard, r.hits]));
    for (let i = 0; i < 12; i++) {
      const at = await cache.locate(`item:${i}`);
      const holder = await masterOf(cache.keys.data(`item:${i}`));
      expect(at.shard).toBe(holder.address);
      expect(at.how).toMatch(/^CRC16 slot \d+ of the Redis key /);
      expect((await cache.get(`item:${i}`)).shard).toBe(holder.address);
    }
    const after = cache.perShard.snapshot();
    const gained = after.reduce((a, r) => a + r.hits - (before.get(r.shard) ?? 0), 0);
    expect(gained).toBe(12);
    expect(after.filter((r) => r.shard.startsWith('127.0.0.1:')).length).toBe(3);
  });

  it('calls the loader once for 500 concurrent misses', async () => {
    let calls = 0;
    const loader = async () => {
      calls++;
      await sleep(50);
      return 'once';
    };
    const all = await Promise.all(Array.from({ length: 500 }, () => cache.getOrLoad('hot', loader)));
    expect(calls).toBe(1);
    expect(new Set(all)).toEqual(new Set(['once']));
  });

  it('reads from replicas with replica reads on (scaleReads): a read right after a write can be stale', async () => {
    const reader = new Cache({
      topology: new ClusterTopology(
        cluster!.seeds,
        { commandTimeoutMs: 1000, connectTimeoutMs: 1000 },
        { replicaReads: true },
      ),
      namespace: cache.keys.namespace,
      opTimeoutMs: 1000,
    });
    try {
      await reader.started();
      const replicas: RedisServer[] = [];
      for (const n of cluster!.nodes) if ((await role(n)) === 'slave') replicas.push(n);
      expect(replicas).toHaveLength(3);
      const natural = await immediateStaleReads(reader, 'fresh', 300);
      const { caughtUpMs } = await staleReadAfterWrite({ writer: cache, reader, replicas, key: 'lagging' });
      console.log(
        `cluster replica reads: ${natural} of 300 reads right after their write were stale with nothing held; ` +
          `with the replicas' replication held, a replica answered v1 after v2 was acknowledged, and caught up ${caughtUpMs} ms after release`,
      );
    } finally {
      await reader.close();
    }
  });

  it('survives a master SIGKILL: calls fail open without hanging, then the promoted replica serves', async () => {
    const cluster$ = (cache.topology as ClusterTopology).cluster;
    await cache.set('survivor', 'replicated before the crash');
    const victim = await masterOf(cache.keys.data('survivor'));
    // Make sure the replica has the write before the crash (WAIT on the connection that wrote it).
    const writer = cluster$.nodes('master').find((n) => n.options.port === victim.port)!;
    expect(await writer.call('WAIT', 1, 400)).toBe(1);
    // Spread over all slots: those of the dead master fail open, the others keep caching.
    // Picked by owner, not just gap:0..19: CRC16 is linear, so for some namespaces twenty
    // consecutive names all miss one master's slots and the checks after failover had none.
    const ownerOf = (k: string) => cache.topology.route(cache.keys.data(k)).id;
    const victimOwner = ownerOf('survivor');
    const onVictim: string[] = [];
    const elsewhere: string[] = [];
    for (let i = 0; i < 10_000 && (onVictim.length < 7 || elsewhere.length < 13); i++) {
      const k = `gap:${i}`;
      const mine = ownerOf(k) === victimOwner ? onVictim : elsewhere;
      if (mine.length < (mine === onVictim ? 7 : 13)) mine.push(k);
    }
    expect([onVictim.length, elsewhere.length]).toEqual([7, 13]);
    const gapKeys = [...onVictim, ...elsewhere];

    await victim.kill();
    const gapStarted = Date.now();
    // Calls during the gap: every one must settle within a bound, answered by the loader.
    const timings: number[] = [];
    const sources = new Set<string>();
    while (Date.now() - gapStarted < 1500) {
      const batch = await Promise.all(
        gapKeys.map(async (k) => {
          const t = Date.now();
          const r = await cache.getOrLoadDetailed(k, () => `loaded:${k}`);
          timings.push(Date.now() - t);
          sources.add(r.source);
          return r.value;
        }),
      );
      expect(batch.every((v) => typeof v === 'string' && v.startsWith('loaded:'))).toBe(true);
    }
    // Explicit writes during the gap: each settles within the bound, stored or refused with 503's error.
    const writes = await Promise.allSettled(
      gapKeys.map(async (k) => {
        const t = Date.now();
        try {
          return await cache.set(k, 'written in the gap');
        } finally {
          timings.push(Date.now() - t);
        }
      }),
    );
    for (const w of writes)
      if (w.status === 'rejected') expect(w.reason).toBeInstanceOf(CacheUnavailableError);
    expect(Math.max(...timings)).toBeLessThan(2_500);
    expect(sources.has('fail-open')).toBe(true);
    // One log line per outage, not per failed call: for each server, "unreachable" and
    // "reachable again" alternate. (With cluster-require-full-coverage, Redis's default, the
    // other masters refuse commands too until the replica takes over, so they may have
    // short outages of their own.)
    const outageLog = () =>
      capture
        .lines()
        .filter((l) => /^redis (unreachable|reachable again)/.test(String(l.msg)))
        .map((l) => ({ id: String(l.redis), down: String(l.msg).startsWith('redis unreachable') }));
    const victimId = `127.0.0.1:${victim.port}`;
    expect(outageLog().filter((e) => e.id === victimId && e.down)).toHaveLength(1);
    expect(outageLog().reduce((a, e) => a + (e.down ? 1 : 0), 0)).toBeLessThan(20);

    const survivors = cluster!.nodes.filter((n) => n !== victim);
    await waitClusterOk(survivors, 20_000);
    // After failover the cache serves again: the value written before the crash is read from
    // the promoted replica, and new values are cached in the dead master's slots.
    const deadline = Date.now() + 20_000;
    let survivor: unknown;
    while (Date.now() < deadline) {
      survivor = await cache.get('survivor').catch((e: Error) => e.message);
      if (typeof survivor === 'object') break;
      await sleep(200);
    }
    expect(survivor).toMatchObject({ status: 'hit', value: 'replicated before the crash' });
    const victimKeys = gapKeys.filter(
      (k) =>
        cache.topology.route(cache.keys.data(k)).id === cache.topology.route(cache.keys.data('survivor')).id,
    );
    // The promoted replica owns exactly the dead master's slots.
    expect(victimKeys).toEqual(onVictim);
    for (const k of victimKeys) await cache.delete(k);
    for (const k of victimKeys)
      expect((await cache.getOrLoadDetailed(k, () => 'after')).source).toBe('loader');
    for (const k of victimKeys)
      expect((await cache.getOrLoadDetailed(k, () => 'unused')).source).toBe('cache');
    // Health notices too, on its next probe once the client's slot table names the new master.
    while ((await cache.probe()).status !== 'ok' && Date.now() < deadline) await sleep(200);
    expect((await cache.probe()).status).toBe('ok');
    for (const id of new Set(outageLog().map((e) => e.id))) {
      const kinds = outageLog()
        .filter((e) => e.id === id)
        .map((e) => e.down);
      expect(kinds, id).toEqual(kinds.map((_, i) => i % 2 === 0));
      expect(kinds.at(-1), `${id} recovered`).toBe(false);
    }
    expect((await Promise.all(survivors.map(role))).filter((r) => r === 'master')).toHaveLength(3);
  });
});
