import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findServicePackages } from '@fopnp/net';
import { describe, expect, it } from 'vitest';
import { labRedisEnv } from '../src/control.js';
import { discover, loadPackages, localProfiles, mapHosts, profilesOf } from '../src/discover.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('the services the stack finds', () => {
  it('are every package under services/ with a ./manifest export, each with its ./smoke', async () => {
    const { packages, withoutManifest } = findServicePackages(ROOT, 'source');
    expect(withoutManifest).toEqual([]);
    const loaded = await loadPackages(ROOT, 'source');
    expect(loaded.map((p) => p.manifest.name)).toEqual(packages.map((p) => p.folder));
    for (const p of loaded) expect(p.smokeFile, p.manifest.name).toMatch(/src\/smoke\.ts$/);
  });

  it('are all dependencies of the stack, so turbo builds them before its tests and `pnpm stack`', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    const missing = findServicePackages(ROOT, 'source')
      .packages.map((p) => p.packageName)
      .filter((name) => !deps.includes(name));
    expect(missing, 'add them to tools/stack/package.json devDependencies as "workspace:*"').toEqual([]);
  });

  it("give topology-lab the profile's Redis shards or cluster nodes, as redis-cache uses them", async () => {
    const sharded = await discover(ROOT, 'sharded', 'source');
    const cacheShards = sharded.find((s) => s.service === 'redis-cache')!.env.REDIS_SHARDS;
    expect(cacheShards).toMatch(/^redis:\/\/127\.0\.0\.1:\d+(,redis:\/\/127\.0\.0\.1:\d+){3}$/);
    expect(labRedisEnv(sharded).REDIS_SHARDS).toBe(cacheShards);
    const cluster = await discover(ROOT, 'cluster', 'source');
    const urls = labRedisEnv(cluster).REDIS_URL!.split(',');
    expect(urls.length).toBeGreaterThan(1);
    for (const u of urls) expect(u).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(labRedisEnv(await discover(ROOT, 'default', 'source'))).toEqual({});
  });

  it('run each variant of a profile in place of the service, with compose env mapped here', async () => {
    const packages = await loadPackages(ROOT, 'source');
    const local = localProfiles(packages);
    const variants = profilesOf(packages).filter((p) => p !== 'default');
    expect(local).toEqual(profilesOf(packages));
    for (const profile of variants) {
      const plan = await discover(ROOT, profile, 'source');
      expect(plan.filter((s) => s.profile === profile).length, profile).toBeGreaterThanOrEqual(1);
      for (const s of plan)
        for (const v of Object.values(s.env)) expect(v).not.toMatch(/redis-(shard|node)-\d/);
    }
  });

  it("run the pipeline profile's roles as separate processes, each on ports of its own", async () => {
    const plan = await discover(ROOT, 'pipeline', 'source', {});
    const roles = plan.filter((s) => s.service === 'rabbit-pipeline');
    expect(roles.map((s) => s.name).sort()).toEqual([
      'always-yes',
      'bitsource',
      'judge',
      'pythagoras',
      'tally',
    ]);
    for (const r of roles) expect(r.env.ROLE).toBe(r.name);
    const ports = roles.flatMap((s) => [s.env.PORT, s.env.HEALTH_PORT]);
    expect(new Set(ports).size).toBe(ports.length);
    const health = plan.map((s) => s.env.HEALTH_PORT);
    expect(new Set(health).size).toBe(health.length);
    expect(roles.find((r) => r.name === 'tally')!.env.PORT).toBe('8016'); // compose's hostPortOffset
  });
});

describe('state kept across restarts, on one machine', () => {
  it('gets a file of its own for each volume, in the checkout, so profiles do not share a tally', async () => {
    const files = new Map<string, string>();
    const packages = await loadPackages(ROOT, 'source');
    for (const profile of localProfiles(packages)) {
      const rabbit = (await discover(ROOT, profile, 'source')).find(
        (s) => s.service === 'rabbit-pipeline' && s.env.TALLY_STATE_FILE,
      )!;
      const file = rabbit.env.TALLY_STATE_FILE!;
      expect(file.startsWith(join(ROOT, '.stack', 'state')), file).toBe(true);
      files.set(rabbit.profile, file);
    }
    // The default pipeline and the mq-cluster one (its own prefix) keep different counts.
    expect(files.get('default')).toBeDefined();
    expect(files.get('mq-cluster')).toBeDefined();
    expect(files.get('mq-cluster')).not.toBe(files.get('default'));
  });
});

describe("the user's environment", () => {
  it('wins over compose for a setting, never for a listening port', async () => {
    const plan = await discover(ROOT, 'sharded', 'source', {
      SHARD_STRATEGY: 'ketama',
      PORT: '1',
      HEALTH_PORT: '2',
    });
    const cache = plan.find((s) => s.name === 'redis-cache')!;
    expect(cache.profile).toBe('sharded');
    expect(cache.env.SHARD_STRATEGY).toBe('ketama');
    expect(cache.overrides).toEqual(['SHARD_STRATEGY']);
    expect(cache.env.PORT).toBe('8005');
    expect(cache.env.HEALTH_PORT).toBe('9105');
  });

  it('decides whether the bank uses PostgreSQL: only with DATABASE_URL, else its SQLite file in .stack/state', async () => {
    const plain = (await discover(ROOT, 'default', 'source', {})).find((s) => s.name === 'http-app')!;
    expect(plain.env.DATABASE_URL).toBeUndefined();
    expect(plain.needs).toEqual([]);
    expect(plain.cwd).toBe(join(ROOT, '.stack', 'state', 'http-app'));
    const url = 'postgres://me:pw@127.0.0.1:5432/mine';
    const pg = (await discover(ROOT, 'default', 'source', { DATABASE_URL: url })).find(
      (s) => s.name === 'http-app',
    )!;
    expect(pg.env.DATABASE_URL).toBe(url);
    expect(pg.needs).toEqual(['postgres']);
  });

  it('moves every service port by STACK_PORT_OFFSET, and the addresses services are given with them', async () => {
    const plan = await discover(ROOT, 'default', 'source', { STACK_PORT_OFFSET: '10000' });
    const gw = plan.find((s) => s.name === 'rpc-gateway')!;
    expect(gw.env.PORT).toBe('17001');
    expect(gw.env.HEALTH_PORT).toBe('19108');
    const values = Object.values(gw.env).join(' ');
    expect(values).toContain('127.0.0.1:11061'); // zen-asyncio's port, moved
    expect(values).toContain('127.0.0.1:5672'); // the broker's, not a service port
    await expect(discover(ROOT, 'default', 'source', { STACK_PORT_OFFSET: 'x' })).rejects.toThrow(
      /STACK_PORT_OFFSET/,
    );
  });
});

describe('mapping compose host names to this machine', () => {
  const names = ['redis', 'rabbitmq', 'redis-cache', 'zen-asyncio', 'postgres'];

  it('rewrites host names in URLs and host:port values, keeping ports', () => {
    expect(mapHosts('redis://redis:6379', names)).toBe('redis://127.0.0.1:6379');
    expect(mapHosts('amqp://guest:guest@rabbitmq:5672', names)).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(mapHosts('zen-asyncio:1061', names)).toBe('127.0.0.1:1061');
    expect(mapHosts('http://redis-cache:8005/cache', names)).toBe('http://127.0.0.1:8005/cache');
    expect(mapHosts('postgres://postgres@postgres:5432/bank', names)).toBe(
      'postgres://postgres@127.0.0.1:5432/bank',
    );
  });

  it('does not touch words that merely contain a host name', () => {
    expect(mapHosts('redis-cache-sharded', names)).toBe('redis-cache-sharded');
    expect(mapHosts('myredis:6379', names)).toBe('myredis:6379');
    expect(mapHosts('sharded', names)).toBe('sharded');
  });

  it('gives each Redis shard and cluster node its own local port', () => {
    expect(mapHosts('redis://redis-shard-0:6379,redis://redis-shard-3:6379', names)).toBe(
      'redis://127.0.0.1:6391,redis://127.0.0.1:6394',
    );
    expect(mapHosts('redis-node-0:6379,redis-node-5:6379', names)).toBe('127.0.0.1:7101,127.0.0.1:7106');
  });
});
