/**
 * The sharding and cluster views in Chromium over real Redis: four shards and a six-node
 * Redis Cluster started by the test. Every number the page shows is checked against what
 * the servers say through redis-cli (DBSIZE, INFO, CLUSTER KEYSLOT, CLUSTER NODES, EXISTS).
 */
import { Cache, ShardedTopology } from '@fopnp/redis-cache';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChromium } from './browser.js';
import { cell, click, pageErrorsOf, runScenario, shotsDir, until } from './page.js';
import { cli, type RedisLabStack, startRedisLab } from './redis-stack.js';

const SHOTS = shotsDir();

/** "1.2 MiB" → bytes (the page rounds to a tenth). */
function parseBytes(text: string | null): number {
  const m = /^([\d.]+) (B|KiB|MiB)$/.exec(text ?? '');
  if (!m) throw new Error(`not a size: ${text}`);
  return Number(m[1]) * { B: 1, KiB: 1024, MiB: 1024 * 1024 }[m[2] as 'B' | 'KiB' | 'MiB'];
}

/** `redis-cli CLUSTER NODES`: address → {role, slot ranges}. */
async function clusterNodes(port: number): Promise<Map<string, { master: boolean; slots: string }>> {
  const out = new Map<string, { master: boolean; slots: string }>();
  for (const line of (await cli(port, 'cluster', 'nodes')).split('\n')) {
    const f = line.trim().split(' ');
    if (f.length < 8) continue;
    const address = f[1]!.split('@')[0]!;
    out.set(address, {
      master: f[2]!.includes('master'),
      slots: f
        .slice(8)
        .map((r) => r.replace('-', '–'))
        .join(', '),
    });
  }
  return out;
}

describe('topology-lab: the sharding and cluster views over real Redis servers', () => {
  let stack: RedisLabStack;
  let browser: Browser;
  let page: Page;
  let errors: () => string;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startRedisLab(), openChromium()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = pageErrorsOf(page);
    await page.goto(stack.lab.url);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 60_000);

  it("shows each shard's keys, memory and ops/s as redis-cli reports them", async () => {
    // Different counts per shard, written by redis-cli itself.
    for (const [i, port] of stack.shardPorts.entries())
      for (let k = 0; k < 3 + 2 * i; k++) await cli(port, 'set', `${stack.namespace}:seed-${i}-${k}`, 'v');
    for (const [i, port] of stack.shardPorts.entries()) {
      const dbsize = await cli(port, 'dbsize');
      expect(dbsize).toBe(String(3 + 2 * i));
      await until(
        `shard${i}'s ${dbsize} keys on the page`,
        async () => (await cell(page, 'shards', `shard${i}`, 3)) === dbsize,
      );
      expect(await cell(page, 'shards', `shard${i}`, 1)).toBe(`127.0.0.1:${port}`);
      expect(await cell(page, 'shards', `shard${i}`, 2)).toBe('up');
      const used = Number(/used_memory:(\d+)/.exec(await cli(port, 'info', 'memory'))![1]);
      const shown = parseBytes(await cell(page, 'shards', `shard${i}`, 5));
      expect(Math.abs(shown - used) / used, `shard${i} memory ${shown} vs INFO ${used}`).toBeLessThan(0.15);
    }
    // Load on shard 2 only: its ops/s rises on the page as in INFO, the others stay low.
    const busy = new Redis({ port: stack.shardPorts[2]!, host: '127.0.0.1', lazyConnect: false });
    let going = true;
    const load = (async () => {
      while (going) await Promise.all(Array.from({ length: 50 }, () => busy.get('nothing')));
    })();
    try {
      // The page writes 12,345 for a busy shard (toLocaleString): a quiet machine gets there.
      const ops = async (i: number) =>
        Number((await cell(page, 'shards', `shard${i}`, 4))?.replaceAll(',', ''));
      // Busy against quiet, whatever the machine's load: shard2 at least 100/s and 4x any other.
      const seen = await until(
        'shard2 busy on the page, the others not',
        async () => {
          const [o0, o1, o2, o3] = await Promise.all([0, 1, 2, 3].map(ops));
          if (o2! >= 100 && o2! > 4 * Math.max(o0!, o1!, o3!)) return o2;
          throw new Error(`ops/s on the page: ${[o0, o1, o2, o3].join(', ')}`);
        },
        30_000,
      );
      const info = Number(
        /instantaneous_ops_per_sec:(\d+)/.exec(await cli(stack.shardPorts[2]!, 'info', 'stats'))![1],
      );
      expect(info, `INFO says ${info}, the page said ${seen}`).toBeGreaterThanOrEqual(100);
      await page.locator('#sharding').screenshot({ path: `${SHOTS}/sharding.png` });
    } finally {
      going = false;
      await load;
      busy.disconnect();
    }
  }, 60_000);

  it('says which shard holds a key written by redis-cache, and which cluster node owns its slot', async () => {
    const key = 'tokyo';
    const cache = new Cache({
      topology: new ShardedTopology(
        stack.shardPorts.map((p) => `redis://127.0.0.1:${p}`),
        'jump',
      ),
      namespace: stack.namespace,
    });
    try {
      await cache.started();
      await cache.set(key, { population: 37_400_068 });
    } finally {
      await cache.close();
    }
    const redisKey = `${stack.namespace}:${key}`;
    const holders: string[] = [];
    for (const port of stack.shardPorts)
      if ((await cli(port, 'exists', redisKey)) === '1') holders.push(`127.0.0.1:${port}`);
    expect(holders).toHaveLength(1);
    // The same key in the cluster, written by redis-cli following its redirect.
    await cli(stack.clusterPorts[0]!, '-c', 'set', redisKey, 'v');
    const slot = await cli(stack.clusterPorts[0]!, 'cluster', 'keyslot', redisKey);

    await page.fill('#where-key', key);
    await page.keyboard.press('Enter');
    await until('the answer', async () =>
      ((await page.textContent('#where-summary')) ?? '').includes('slot'),
    );
    expect(await page.textContent('#where-summary')).toContain(`${redisKey} is on ${holders[0]}`);
    expect(await cell(page, 'where', 'jump', 2)).toBe(holders[0]);
    expect(await cell(page, 'where', 'jump', 3)).toBe('yes');
    // Where the other strategies would put it: each a shard the page names, holding it or not.
    const rows = await page.$$eval('#where tbody tr', (trs) => trs.map((tr) => tr.children[0]?.textContent));
    expect(rows).toEqual(['alpha', 'hash', 'md5', 'ketama', 'jump', 'modula']);

    expect(await page.getAttribute('#where-summary', 'data-slot')).toBe(slot);
    const owner = await page.getAttribute('#where-summary', 'data-owner');
    const ownerPort = Number(owner!.split(':')[1]);
    expect(await cli(ownerPort, 'exists', redisKey)).toBe('1');
    expect((await clusterNodes(ownerPort)).get(owner!)?.master).toBe(true);
    expect(await page.textContent('#where-summary')).toContain(
      `slot ${slot}, owned by ${owner}, which holds it`,
    );

    // A bad key gets the error model's answer.
    const bad = await fetch(`${stack.lab.url}/api/where?key=`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe(
      'FOPNP_TOPOLOGY_LAB_ERR_BAD_KEY',
    );
  }, 40_000);

  it('shows the cluster: every node with its role and keys, each master with the slots CLUSTER NODES gives it', async () => {
    const nodes = await clusterNodes(stack.clusterPorts[0]!);
    expect(nodes.size).toBe(6);
    await until(
      '16,384 slots on the bar',
      async () => (await page.getAttribute('#slot-bar', 'data-covered')) === '16384',
    );
    for (const [address, n] of nodes) {
      const port = Number(address.split(':')[1]);
      await until(
        `${address} on the page`,
        async () => (await cell(page, 'redis-nodes', address, 1)) === 'up',
      );
      const role = await cell(page, 'redis-nodes', address, 2);
      if (n.master) {
        expect(role).toBe('master');
        expect(await cell(page, 'redis-nodes', address, 7)).toBe(n.slots);
      } else expect(role).toMatch(/^replica of 127\.0\.0\.1:\d+$/);
      const dbsize = await cli(port, 'dbsize');
      await until(
        `${address}'s ${dbsize} keys on the page`,
        async () => (await cell(page, 'redis-nodes', address, 3)) === dbsize,
      );
    }
    await page.locator('#redis').screenshot({ path: `${SHOTS}/cluster.png` });
  }, 40_000);

  it('measures on the real shards the share of keys that move when the last shard is added, by strategy', async () => {
    const before = await Promise.all(stack.shardPorts.map((p) => cli(p, 'dbsize')));
    await click(page, 'shards.movement', 90_000);
    const share = async (s: string) => Number(((await cell(page, 'movement', s, 4)) ?? '').replace(' %', ''));
    await until('the movement table', async () => (await cell(page, 'movement', 'jump', 1)) === '3 → 4');
    for (const s of ['hash', 'md5', 'modula']) {
      expect(await share(s)).toBeGreaterThan(60); // about 3/4 move under hash mod N
      expect(await share(s)).toBeLessThan(90);
    }
    for (const s of ['ketama', 'jump']) {
      expect(await share(s)).toBeGreaterThan(10); // about 1/4 under consistent hashing
      expect(await share(s)).toBeLessThan(40);
    }
    expect(await cell(page, 'movement', 'jump', 2)).toBe('2,000');
    const perShard = ((await cell(page, 'movement', 'jump', 5)) ?? '')
      .split(' / ')
      .map((x) => Number(x.replace(',', '')));
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(2000);
    // Every key the measurement wrote is gone again.
    expect(await Promise.all(stack.shardPorts.map((p) => cli(p, 'dbsize')))).toEqual(before);
    await page.locator('#sharding').screenshot({ path: `${SHOTS}/movement.png` });
    expect(errors()).toBe('');
  }, 120_000);

  it("runs the 'Redis down' scenario from the page: the stopped shard's keys fail open, redis-cache degrades and recovers", async () => {
    const stats = async () =>
      (await (await fetch(`${stack.cache.url}/stats`)).json()) as { status: string; failOpen: number };
    const before = await stats();
    const timeline = await runScenario(page, 'redis-down', 90_000);
    const text = timeline.join('\n');
    expect(text).toMatch(/its four keys answered by the loader \(fail-open\), the other four from the cache/);
    expect(text).toMatch(/redis-cache degraded, down: \S+; \d+ fail-opens/);
    expect(text).toContain('redis-cache reports ok');
    // The real system after it: the shard answers again, redis-cache counted the fail-opens.
    expect(await cli(stack.shardPorts[0]!, 'ping')).toBe('PONG');
    const after = await stats();
    expect(after.status).toBe('ok');
    expect(after.failOpen).toBeGreaterThanOrEqual(before.failOpen + 4);
    // Its actions are on the markers, as clicked ones are.
    for (const id of ['redis-shard-0.stop', 'redis-shard-0.start'])
      expect(await page.locator(`#markers li[data-action="${id}"]`).count()).toBeGreaterThan(0);
    await page.locator('#scenarios').screenshot({ path: `${SHOTS}/scenario-redis-down.png` });
    expect(errors()).toBe('');
  }, 120_000);

  it("runs 'kill a Redis Cluster master' from the page: marked failed, replica promoted, value kept, node back as a replica", async () => {
    const before = await clusterNodes(stack.clusterPorts[1]!);
    const timeline = await runScenario(page, 'cluster-master-kill', 120_000);
    const text = timeline.join('\n');
    const killed = /master (127\.0\.0\.1:\d+): SIGKILL sent to (redis-node-\d+)-\d+ \(pid (\d+)\)/.exec(text);
    expect(killed, text).not.toBeNull();
    const [, oldMaster, unit, pid] = killed!;
    expect(before.get(oldMaster!)?.master).toBe(true);
    expect(before.get(oldMaster!)?.slots).toMatch(/^0–/);
    // The killed process died; its unit was started again (a new pid).
    expect(() => process.kill(Number(pid), 0)).toThrow();
    expect(stack.control.list().find((u) => u.name === unit)!.instances[0]!.state).toBe('running');
    expect(text).toMatch(new RegExp(`lists ${oldMaster!.replaceAll('.', '\\.')} as [a-z,]*fail`));
    const promoted = /(127\.0\.0\.1:\d+) promoted \(seen [\d.]+ s after the kill\)/.exec(text)?.[1];
    expect(promoted, text).toBeTruthy();
    // What the cluster itself says now (redis-cli on a node that was never killed).
    const survivor = stack.clusterPorts.find(
      (p) => `127.0.0.1:${p}` !== oldMaster && `127.0.0.1:${p}` !== promoted,
    )!;
    const now = await clusterNodes(survivor);
    expect(now.get(promoted!)?.master).toBe(true);
    expect(now.get(promoted!)?.slots).toMatch(/^0–/);
    await until(
      'the old master listed as a replica',
      async () => (await clusterNodes(survivor)).get(oldMaster!)?.master === false,
      20_000,
    );
    const kv = /(\S+:lab-failover-\d+) = "([^"]+)" on/.exec(text);
    expect(kv, text).not.toBeNull();
    expect(await cli(Number(promoted!.split(':')[1]), 'get', kv![1]!)).toBe(kv![2]);
    expect(text).toMatch(new RegExp(`${oldMaster!.replaceAll('.', '\\.')} is back, a replica of`));
    // The page's slot map: slot 0 now under the promoted node.
    await until('the slot legend', async () =>
      ((await page.textContent('#slot-legend')) ?? '').includes(`${promoted} 0–`),
    );
    await page.locator('#scenarios').screenshot({ path: `${SHOTS}/scenario-cluster.png` });
    expect(errors()).toBe('');
  }, 150_000);
});
