import { capturingLogger, cliTestKit, sleep, startServe, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/cache.js';
import { SentinelTopology } from '../src/topology/sentinel.js';
import { testNamespace } from './helpers/namespace.js';
import { MASTER_NAME, type SentinelGroup, startSentinelGroup } from './helpers/sentinel.js';
import { immediateStaleReads, staleReadAfterWrite } from './helpers/staleness.js';

const { CLI: cli } = cliTestKit(import.meta.url);
const OP_TIMEOUT = 300;
let group: SentinelGroup | undefined;
let cache: Cache;
const capture = capturingLogger('redis-cache-test', 'info');

beforeAll(async () => {
  // Short timeouts so the failover fits in the test: a sentinel calls the master down after
  // 1 s of silence; a failover that stalls is retried after 3 s.
  group = await startSentinelGroup({ downAfterMs: 1000, failoverTimeoutMs: 3000 });
  cache = new Cache({
    topology: new SentinelTopology(
      { sentinels: group.sentinels, masterName: MASTER_NAME },
      { commandTimeoutMs: OP_TIMEOUT, connectTimeoutMs: OP_TIMEOUT },
    ),
    namespace: testNamespace('sentinel'),
    opTimeoutMs: OP_TIMEOUT,
    probeIntervalMs: 200,
    logger: capture.logger,
  });
  await cache.started();
}, 60_000);

afterAll(async () => {
  await cache?.close();
  await stopAll();
  await group?.stop();
});

describe('Redis Sentinel (master, 2 replicas, 3 sentinels) through ioredis', () => {
  it('caches on the master the sentinels name, and `where` says which server that is', async () => {
    // Six Redis processes have just started; at load 20 a 300 ms connect timeout can trip
    // once after the first connection (a fresh-clone CI run failed here with 'Stream isn't
    // writeable'). The cache retries by itself: give it a few seconds to be writeable.
    for (let i = 0; ; i++) {
      try {
        await cache.set('greeting', 'hello');
        break;
      } catch (err) {
        if (i >= 50) throw err;
        await sleep(100);
      }
    }
    expect(await cache.get('greeting')).toEqual({ status: 'hit', value: 'hello', shard: MASTER_NAME });
    expect(await group!.master.cli('EXISTS', cache.keys.data('greeting'))).toBe('1');
    const at = await cache.locate('greeting');
    expect(at).toMatchObject({ shard: MASTER_NAME, server: group!.master.address });
  });

  it('runs as `serve` with CACHE_TOPOLOGY=sentinel: ready, caching, x-cache-shard names the master', async () => {
    const { url, healthUrl, proc } = await startServe(cli, {
      CI: '1',
      CACHE_TOPOLOGY: 'sentinel',
      REDIS_SENTINELS: group!.sentinels.join(','),
      REDIS_SENTINEL_MASTER: MASTER_NAME,
      CACHE_NAMESPACE: testNamespace('sentinel-serve'),
      LOG_LEVEL: 'info',
    });
    try {
      await proc.waitForOutput(/redis-cache listening/);
      const ready = (await (await fetch(`${healthUrl}/readyz`)).json()) as { status: string };
      expect(ready.status).toBe('ok');
      const put = await fetch(`${url}/cache/k`, {
        method: 'PUT',
        body: '{"n":1}',
        headers: { 'content-type': 'application/json' },
      });
      expect(put.status).toBe(201);
      const got = await fetch(`${url}/cache/k`);
      expect(got.headers.get('x-cache-shard')).toBe(MASTER_NAME);
      expect(await got.json()).toEqual({ n: 1 });
      const where = (await (await fetch(`${url}/where/k`)).json()) as { server: string };
      expect(where.server).toBe(group!.master.address);
    } finally {
      expect(await proc.stop('SIGTERM')).toBe(0);
    }
  });

  it('reads from a replica with replica reads on: a read right after a write can be stale, then catches up', async () => {
    const reader = new Cache({
      topology: new SentinelTopology(
        { sentinels: group!.sentinels, masterName: MASTER_NAME, replicaReads: true },
        { commandTimeoutMs: 1000, connectTimeoutMs: 1000 },
      ),
      namespace: cache.keys.namespace,
      opTimeoutMs: 1000,
    });
    try {
      await reader.started();
      // The reads really go to a replica: it is a connection to one of the two replica ports.
      const replicaPorts = group!.replicas.map((r) => r.port);
      const topo = reader.topology as SentinelTopology;
      expect(replicaPorts).toContain(
        (topo.replica as unknown as { stream: { remotePort: number } }).stream.remotePort,
      );
      expect((await reader.locate('k')).how).toMatch(/reads go to the replica at 127\.0\.0\.1:\d+/);
      const natural = await immediateStaleReads(reader, 'fresh', 300);
      const { caughtUpMs } = await staleReadAfterWrite({
        writer: cache,
        reader,
        replicas: group!.replicas,
        key: 'lagging',
      });
      console.log(
        `sentinel replica reads: ${natural} of 300 reads right after their write were stale with nothing held; ` +
          `with the replicas' replication held, the replica answered v1 after v2 was acknowledged, and caught up ${caughtUpMs} ms after release`,
      );
    } finally {
      await reader.close();
    }
  });

  it('survives SIGKILL of the master under load: fails open until promotion, then caches on the new master', async () => {
    const oldMaster = group!.master.address;
    /** Writes Redis acknowledged: when each was issued and when the OK came back. */
    const acked: { i: number; started: number; at: number }[] = [];
    const calls: { at: number; ms: number; source: string }[] = [];
    let stop = false;
    let seq = 0;
    const writer = async () => {
      while (!stop) {
        const i = seq++;
        const started = Date.now();
        try {
          await cache.set(`ack:${i}`, i);
          acked.push({ i, started, at: Date.now() });
        } catch {
          await sleep(20); // failing open: nothing acknowledged
        }
      }
    };
    const reader = async (w: number) => {
      for (let j = 0; !stop; j++) {
        const t = performance.now();
        const r = await cache.getOrLoadDetailed(`hot:${w}:${j % 20}`, () => `loaded ${j}`);
        calls.push({ at: Date.now(), ms: performance.now() - t, source: r.source });
        if (r.source !== 'cache') await sleep(5);
      }
    };
    const load = Promise.all([writer(), writer(), reader(0), reader(1), reader(2)]);
    await sleep(1000);

    const killedAt = Date.now();
    await group!.master.kill();
    let promotedAt = 0;
    let newMaster: string | undefined;
    while (Date.now() - killedAt < 25_000) {
      const at = await group!.masterAddress();
      if (at && at !== oldMaster) {
        promotedAt = Date.now();
        newMaster = at;
        break;
      }
      await sleep(50);
    }
    expect(newMaster, 'the sentinels promoted a replica').toBeDefined();
    // Load until the cache has written to the new master for a second, or give up after 20 s.
    let resumedAt = 0;
    while (Date.now() - killedAt < 20_000) {
      const firstAck = acked.find((a) => a.started > killedAt);
      if (firstAck) resumedAt ||= firstAck.at;
      if (resumedAt && Date.now() - resumedAt > 1000) break;
      await sleep(50);
    }
    stop = true;
    await load;
    expect(resumedAt, 'writes resumed on the new master without a restart').toBeGreaterThan(0);

    const during = calls.filter((c) => c.at > killedAt && c.at < resumedAt);
    const after = calls.filter((c) => c.at > resumedAt + 500);
    // Every call during the gap settled within the op timeout (plus scheduling slack on a loaded machine).
    expect(Math.max(...during.map((c) => c.ms))).toBeLessThan(OP_TIMEOUT + 1200);
    expect(during.filter((c) => c.source === 'fail-open').length).toBeGreaterThan(0);
    expect(after.filter((c) => c.source === 'cache').length).toBeGreaterThan(0);
    // Once writes resumed, reads come from the new master. A loaded machine (load 30 on 2 cores in
    // CI runs beside other work) can stall every caller past the 300 ms op timeout at once, which
    // fails open a few calls together; a cache still pointed at the dead master would fail open
    // on every call. So: at most 5 % of the calls after resumption, and the last call of the run did
    // not fail open.
    const failOpenAfter = after.filter((c) => c.source === 'fail-open');
    expect(failOpenAfter.length).toBeLessThanOrEqual(Math.floor(after.length * 0.05));
    expect(after.at(-1)?.source).not.toBe('fail-open');
    expect(await cache.locate('x')).toMatchObject({ server: newMaster });

    // What survived: every write issued before the kill and acknowledged (by the old master),
    // looked up on the new master.
    const beforeKill = acked.filter((a) => a.started <= killedAt);
    const lost: typeof acked = [];
    for (const a of beforeKill) {
      const r = await cache.get(`ack:${a.i}`);
      if (!(r.status === 'hit' && r.value === a.i)) lost.push(a);
    }
    const afterResume = acked.filter((a) => a.started > killedAt);
    for (const a of afterResume)
      expect(await cache.get(`ack:${a.i}`)).toMatchObject({ status: 'hit', value: a.i });
    // Asynchronous replication loses at most what the master had not yet sent: writes of the last moment.
    for (const l of lost) expect(killedAt - l.at).toBeLessThan(1000);

    // The failover's own log lines: the logger is shared by the file's tests, and a loaded
    // machine can make an earlier test's connection (300 ms connect timeout) flap once.
    const sinceKill = capture.lines().filter((l) => Date.parse(String(l.time)) >= killedAt);
    const outages = sinceKill.filter((l) => String(l.msg).startsWith('redis unreachable'));
    const recoveries = sinceKill.filter((l) => String(l.msg).startsWith('redis reachable again'));
    expect(outages, JSON.stringify(sinceKill.filter((l) => l.redis))).toHaveLength(1);
    expect(recoveries).toHaveLength(1);
    console.log(
      [
        `failover: master ${oldMaster} SIGKILLed; sentinels named ${newMaster} after ${promotedAt - killedAt} ms`,
        `  cache writes resumed ${resumedAt - killedAt} ms after the kill (no restart); outage logged once, recovery once`,
        `  ${during.length} getOrLoad calls in the gap: ${during.filter((c) => c.source === 'fail-open').length} failed open, slowest ${Math.max(...during.map((c) => c.ms)).toFixed(0)} ms`,
        `  acknowledged before the kill: ${beforeKill.length}, lost: ${lost.length}${lost.length ? ` (acknowledged ${lost.map((l) => killedAt - l.at).join(', ')} ms before the kill)` : ''}`,
        `  acknowledged after resuming: ${afterResume.length}, all present`,
      ].join('\n'),
    );
  }, 60_000);
});
