/**
 * The guided scenarios: "do this, watch for that", each step checked on the lab's own polls.
 * A scenario runs only where the orchestrator declares the actions it needs (the page says
 * what is missing otherwise).
 */
import { pipelineNames } from '@fopnp/rabbit-pipeline';
import type { LabSnapshot } from '../snapshot.js';
import type { ScenarioContext, ScenarioDef } from './types.js';

function missingActions(s: LabSnapshot, ids: string[]): string | null {
  const absent = ids.filter((id) => !s.control.actions.some((a) => a.id === id));
  return absent.length ? `needs the actions ${absent.join(', ')} (not declared by this orchestrator)` : null;
}

function has(s: LabSnapshot, id: string): boolean {
  return s.control.actions.some((a) => a.id === id);
}

// ---- kill a judge under load ------------------------------------------------------------

const judgeKill: ScenarioDef = {
  id: 'judge-kill',
  title: 'Kill a judge under load',
  description:
    'A judge dies holding points it has not acked. The broker hands them to the other judge, the pipeline keeps counting, and (where bitsource can be paused) every point published is counted.',
  steps: [
    {
      say: 'add a slow judge (2 s a point: it holds up to 64 points unacked)',
      watch: 'a second consumer on the judge queue, points unacked',
    },
    {
      say: 'SIGKILL the slow judge while it holds them',
      watch: "the consumer gone; the broker's redelivery count rising",
    },
    { say: 'the pipeline keeps counting', watch: "tally's count going up" },
    {
      say: 'pause bitsource and let the queues drain',
      watch:
        'nothing on its way; every point published counted by tally or dead-lettered, a few maybe twice (skipped without a bitsource unit)',
    },
  ],
  missing(s) {
    if (s.rabbitmq.health !== 'up') return 'RabbitMQ is down';
    if (s.pipeline.tally.health !== 'up') return 'tally is down';
    return missingActions(s, ['slow-judge.add', 'slow-judge.kill']);
  },
  async run(ctx) {
    const n = pipelineNames(ctx.deps.prefix);
    const judgeQueue = (s: LabSnapshot) => s.rabbitmq.queues.find((q) => q.name === n.judge);
    ctx.step(0);
    const consumers0 = judgeQueue(ctx.latest())?.consumers ?? 0;
    await ctx.act('slow-judge.add');
    await ctx.until(
      'a second consumer on the judge queue',
      (s) => {
        const c = judgeQueue(s)?.consumers ?? 0;
        return c > consumers0 && `${c} consumers on ${n.judge}`;
      },
      20_000,
    );
    await ctx.until(
      'points unacked on the judge queue',
      (s) => {
        const u = judgeQueue(s)?.unacked ?? 0;
        return u >= 10 && `${u} points unacked on ${n.judge} (the broker's figure, sampled every 5 s)`;
      },
      20_000,
    );
    ctx.step(1);
    const before = ctx.latest();
    const redelivered0 = before.pipeline.accounting.redelivered ?? 0;
    const count0 = before.pipeline.tally.count;
    await ctx.act('slow-judge.kill');
    await ctx.until(
      'the killed judge gone from the judge queue',
      (s) => {
        const c = judgeQueue(s)?.consumers ?? 0;
        return c === consumers0 && `${c} consumer(s) on ${n.judge} again`;
      },
      20_000,
    );
    await ctx.until(
      'redeliveries counted by the broker',
      (s) => {
        const r = s.pipeline.accounting.redelivered ?? 0;
        return r > redelivered0 && `${r - redelivered0} points redelivered to the remaining judge`;
      },
      30_000,
    );
    ctx.step(2);
    await ctx.until(
      "tally's count going up",
      (s) =>
        s.pipeline.tally.count >= count0 + 50 &&
        `tally counted ${s.pipeline.tally.count - count0} points since the kill`,
      30_000,
    );
    ctx.step(3);
    if (!has(ctx.latest(), 'bitsource.stop') || !has(ctx.latest(), 'bitsource.start')) {
      ctx.note('no bitsource unit under this orchestrator: the final count is not checked here');
      return;
    }
    await ctx.act('bitsource.stop');
    // The broker's counts are sampled every 5 s: let one sample pass after the last publish.
    const stopped = Date.now();
    await ctx.until('the broker to sample its counts after the stop', (s) => s.at >= stopped + 6_000, 30_000);
    await ctx.until(
      'every point published counted or dead-lettered, nothing on its way',
      (s) => {
        const a = s.pipeline.accounting;
        if (a.published === null || a.tallied === null || a.deadLetters === null || a.inQueues !== 0) return;
        const extra = a.tallied + a.deadLetters - a.published;
        // At least once: a judge killed between publishing a decision and acking its point
        // has that point judged again, so a few may be counted twice; none may be missing.
        return (
          extra >= 0 &&
          `published ${a.published}; counted ${a.tallied} + dead letters ${a.deadLetters}: nothing lost${
            extra > 0 ? ` (${extra} counted twice: redelivered after their decision was sent)` : ''
          }`
        );
      },
      45_000,
    );
    await ctx.act('bitsource.start');
  },
  async cleanup(ctx) {
    const running = ctx
      .latest()
      .control.processes.some((p) => p.unit === 'bitsource' && p.state === 'running');
    if (has(ctx.latest(), 'bitsource.start') && !running) await ctx.act('bitsource.start');
  },
};

// ---- Redis down: the cache fails open ----------------------------------------------------

const SHARD_UNIT = 'redis-shard-0';

function shardAddress(s: LabSnapshot): string | null {
  return s.control.processes.find((p) => p.unit === SHARD_UNIT)?.address ?? null;
}

/** Demo keys on the shard and elsewhere (redis-cache's /where says), four of each. */
async function pickKeys(ctx: ScenarioContext, address: string): Promise<{ on: string[]; off: string[] }> {
  const cache = ctx.deps.cache!;
  const on: string[] = [];
  const off: string[] = [];
  for (let i = 0; i < 200 && (on.length < 4 || off.length < 4); i++) {
    const key = `lab-scenario-${i}`;
    const list = (await cache.serverOfDemoKey(key)) === address ? on : off;
    if (list.length < 4) list.push(key);
  }
  if (on.length < 4 || off.length < 4) throw new Error('could not find demo keys on and off the shard');
  return { on, off };
}

async function sources(ctx: ScenarioContext, keys: string[]): Promise<string[]> {
  return Promise.all(keys.map(async (k) => (await ctx.deps.cache!.demo(k)).source));
}

const redisDown: ScenarioDef = {
  id: 'redis-down',
  title: 'A Redis shard down: the cache fails open',
  description:
    "redis-cache's sharded cache loses one shard. Calls for that shard's keys go straight to the loader (fail-open) instead of failing, redis-cache reports itself degraded, the other shards keep serving from the cache, and all comes back when the shard does.",
  steps: [
    {
      say: 'ask redis-cache for eight demo keys twice, four of them on redis-shard-0',
      watch: 'the second time, all eight answered from the cache',
    },
    {
      say: 'stop redis-shard-0 (SIGTERM), and ask for the eight keys again',
      watch:
        'the shard down; redis-cache degraded; its four keys answered by the loader (fail-open), the others from the cache',
    },
    {
      say: 'start redis-shard-0 again',
      watch: 'the shard up; redis-cache ok again; no call failing open',
    },
  ],
  missing(s, deps) {
    if (!deps.cache) return "needs redis-cache's HTTP API (REDIS_CACHE_URL)";
    if (s.cache.health !== 'up') return 'redis-cache does not answer';
    if (s.cache.topology !== 'sharded')
      return `needs redis-cache in sharded mode (it is ${s.cache.topology})`;
    const m = missingActions(s, [`${SHARD_UNIT}.stop`, `${SHARD_UNIT}.start`]);
    if (m) return m;
    return shardAddress(s) ? null : `the orchestrator does not say which server ${SHARD_UNIT} is`;
  },
  async run(ctx) {
    const address = shardAddress(ctx.latest())!;
    ctx.step(0);
    const { on, off } = await pickKeys(ctx, address);
    ctx.note(`on ${address}: ${on.join(', ')}; elsewhere: ${off.join(', ')}`);
    await sources(ctx, [...on, ...off]);
    const second = await sources(ctx, [...on, ...off]);
    if (second.some((x) => x !== 'cache'))
      throw new Error(`the second round was not all cached: ${second.join(', ')}`);
    ctx.passed('all eight answered from the cache');
    ctx.step(1);
    const failOpen0 = ctx.latest().cache.failOpen ?? 0;
    await ctx.act(`${SHARD_UNIT}.stop`);
    await ctx.until(
      `${address} down`,
      (s) =>
        s.redis.find((n) => n.address === address)?.health === 'down' &&
        `${address} is down (the lab's poll)`,
      15_000,
    );
    const t0 = performance.now();
    const dead = await sources(ctx, on);
    const alive = await sources(ctx, off);
    const ms = Math.round(performance.now() - t0);
    if (dead.some((x) => x !== 'fail-open') || alive.some((x) => x !== 'cache'))
      throw new Error(
        `expected fail-open for ${on.join(', ')} and cache for the others; got ${[...dead, ...alive].join(', ')}`,
      );
    ctx.passed(
      `its four keys answered by the loader (fail-open), the other four from the cache; all eight in ${ms} ms`,
    );
    await ctx.until(
      'redis-cache degraded, counting fail-opens',
      (s) =>
        s.cache.status === 'degraded' &&
        (s.cache.failOpen ?? 0) >= failOpen0 + 4 &&
        `redis-cache ${s.cache.status}, down: ${s.cache.down.join(', ')}; ${(s.cache.failOpen ?? 0) - failOpen0} fail-opens`,
      15_000,
    );
    ctx.step(2);
    await ctx.act(`${SHARD_UNIT}.start`);
    await ctx.until(
      `${address} up`,
      (s) => s.redis.find((n) => n.address === address)?.health === 'up' && `${address} is up`,
      15_000,
    );
    await ctx.until(
      'redis-cache ok again',
      (s) => s.cache.status === 'ok' && 'redis-cache reports ok',
      15_000,
    );
    const back = await ctx.until(
      'no call failing open',
      async () => {
        const got = await sources(ctx, on);
        return got.every((x) => x !== 'fail-open') && got;
      },
      10_000,
    );
    ctx.passed(
      `its keys answered by ${[...new Set(back)].join(' and ')} again (values written before the stop are gone: no persistence)`,
    );
  },
  async cleanup(ctx) {
    const running = ctx
      .latest()
      .control.processes.some((p) => p.unit === SHARD_UNIT && p.state === 'running');
    if (!running) await ctx.act(`${SHARD_UNIT}.start`);
  },
};

// ---- kill a cluster master --------------------------------------------------------------

function ownerOfSlot0(s: LabSnapshot): string | null {
  return (
    s.redis.find((n) => n.health === 'up' && n.role === 'master' && n.slots.some(([a]) => a === 0))
      ?.address ?? null
  );
}

/** The `CLUSTER NODES` line of `address` as a live node sees it: its flags (master, fail, …). */
async function flagsOf(ctx: ScenarioContext, survivor: string, address: string): Promise<string> {
  const text = String(await ctx.deps.redis.call(survivor, 'CLUSTER', 'NODES'));
  const line = text.split('\n').find((l) => l.split(' ')[1]?.split('@')[0] === address);
  return line?.split(' ')[2] ?? '';
}

const clusterKill: ScenarioDef = {
  id: 'cluster-master-kill',
  title: 'Kill a Redis Cluster master',
  description:
    'The master owning slot 0 is SIGKILLed. The other nodes mark it failed, its replica is promoted and takes its slots, a value written before the crash is still there, and the killed node comes back as a replica.',
  steps: [
    {
      say: 'write a value into the slots of the master of slot 0, and wait until a replica has it (WAIT 1)',
      watch: 'the write acknowledged by one replica',
    },
    {
      say: 'SIGKILL that master',
      watch: 'the other nodes marking it failed; the cluster state while its slots have no master',
    },
    { say: 'its replica promoted', watch: 'another node master of slot 0, and how long it took' },
    { say: 'read the value back', watch: 'the value written before the crash, from the new master' },
    { say: 'start the killed node again', watch: 'it rejoins as a replica of the new master' },
  ],
  missing(s) {
    if (!s.redis.some((n) => n.clusterEnabled && n.health === 'up'))
      return 'no Redis Cluster watched (REDIS_URL)';
    if (!s.control.actions.some((a) => a.id === 'cluster.kill-master'))
      return 'needs cluster nodes run as units whose addresses the orchestrator gives (the test harness; not yet pnpm stack up)';
    return null;
  },
  async run(ctx) {
    ctx.step(0);
    const master = ownerOfSlot0(ctx.latest());
    if (!master) throw new Error('no live master owns slot 0');
    const master0 = ctx.latest().redis.find((n) => n.address === master)!;
    let key = '';
    for (let i = 0; i < 2000 && !key; i++) {
      const candidate = `${ctx.deps.namespace}:lab-failover-${i}`;
      const slot = Number(await ctx.deps.redis.call(master, 'CLUSTER', 'KEYSLOT', candidate));
      if (master0.slots.some(([a, b]) => slot >= a && slot <= b)) key = candidate;
    }
    const value = `written ${new Date().toISOString()}`;
    await ctx.deps.redis.call(master, 'SET', key, value);
    const acked = Number(await ctx.deps.redis.call(master, 'WAIT', '1', '2000'));
    if (acked < 1) throw new Error('no replica acknowledged the write within 2 s');
    ctx.passed(`${key} written on ${master}, acknowledged by ${acked} replica(s)`);

    ctx.step(1);
    const survivor = ctx
      .latest()
      .redis.find(
        (n) => n.clusterEnabled && n.health === 'up' && n.role === 'master' && n.address !== master,
      )?.address;
    if (!survivor) throw new Error('no other live master to ask');
    const t0 = Date.now();
    await ctx.act('cluster.kill-master');
    let sawDown: number | null = null;
    await ctx.until(
      `${master} marked failed by the cluster`,
      async () => {
        const info = String(await ctx.deps.redis.call(survivor, 'CLUSTER', 'INFO'));
        if (sawDown === null && info.includes('cluster_state:fail')) {
          sawDown = Date.now() - t0;
          ctx.note(
            `cluster_state:fail on ${survivor} (commands answer CLUSTERDOWN) at +${(sawDown / 1000).toFixed(1)} s after the kill`,
          );
        }
        const flags = await flagsOf(ctx, survivor, master);
        return (
          /(^|,)fail(,|$)/.test(flags) &&
          `${survivor} lists ${master} as ${flags}, ${((Date.now() - t0) / 1000).toFixed(1)} s after the kill`
        );
      },
      20_000,
    );

    ctx.step(2);
    const { promoted } = await ctx.until(
      'a replica promoted to master of slot 0',
      (s) => {
        const owner = ownerOfSlot0(s);
        return owner && owner !== master ? { promoted: owner } : undefined;
      },
      30_000,
    );
    const took = ((Date.now() - t0) / 1000).toFixed(1);
    const slots = ctx.latest().redis.find((n) => n.address === promoted)?.slots ?? [];
    ctx.passed(
      `${promoted} promoted (seen ${took} s after the kill); it owns ${slots.map(([a, b]) => `${a}–${b}`).join(', ')}`,
    );
    await ctx.until(
      'the cluster state ok again',
      async () =>
        String(await ctx.deps.redis.call(survivor, 'CLUSTER', 'INFO')).includes('cluster_state:ok') &&
        `cluster_state:ok again at +${((Date.now() - t0) / 1000).toFixed(1)} s${sawDown === null ? ' (no fail state seen by the polls)' : ''}`,
      20_000,
    );

    ctx.step(3);
    const got = await ctx.deps.redis.call(promoted, 'GET', key);
    if (got !== value)
      throw new Error(`${key} on ${promoted} is ${JSON.stringify(got)}, not ${JSON.stringify(value)}`);
    ctx.passed(`${key} = "${value}" on ${promoted}: nothing written before the crash was lost`);

    ctx.step(4);
    await ctx.act('cluster.restart-node');
    await ctx.until(
      `${master} back as a replica`,
      (s) => {
        const n = s.redis.find((x) => x.address === master);
        return n?.health === 'up' && n.role === 'slave' && `${master} is back, a replica of ${n.masterOf}`;
      },
      30_000,
    );
  },
  async cleanup(ctx) {
    if (ctx.latest().control.actions.some((a) => a.id === 'cluster.restart-node'))
      await ctx.act('cluster.restart-node');
  },
};

export const SCENARIOS: readonly ScenarioDef[] = [judgeKill, redisDown, clusterKill];
