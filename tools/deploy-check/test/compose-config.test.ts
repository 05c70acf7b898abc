import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { profilesOf } from '../src/instances.ts';
import { loadServices, REPO_ROOT } from '../src/manifests.ts';

// The profiles the manifests declare (their variants), "default" first.
const PROFILES = profilesOf((await loadServices()).services.map((s) => s.manifest));

const compose = (...args: string[]) =>
  execFileSync('docker-compose', ['-f', path.join(REPO_ROOT, 'docker-compose.yml'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });

describe('docker-compose config', () => {
  it.each(PROFILES)('validates with the %s profile (config -q)', (profile) => {
    const args = profile === 'default' ? [] : ['--profile', profile];
    expect(() => compose(...args, 'config', '-q')).not.toThrow();
  });

  it('validates with the end-to-end override', () => {
    expect(() => compose('-f', path.join(REPO_ROOT, 'deploy/compose.e2e.yml'), 'config', '-q')).not.toThrow();
  });

  it('rejects a broken file (the check can fail)', () => {
    expect(() =>
      execFileSync('docker-compose', ['-f', '-', 'config', '-q'], {
        input: 'services:\n  x:\n    image: a\n    ports: 12\n',
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    ).toThrow();
  });

  it('moves the backing services off the host ports when asked (the host runs its own)', () => {
    const out = execFileSync('docker-compose', ['-f', path.join(REPO_ROOT, 'docker-compose.yml'), 'config'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, REDIS_HOST_PORT: '16379', AMQP_HOST_PORT: '15673', POSTGRES_HOST_PORT: '15432' },
    });
    const doc = parse(out);
    const published = (name: string) =>
      doc.services[name].ports.map((p: { published: string }) => Number(p.published));
    expect(published('redis')).toEqual([16379]);
    expect(published('rabbitmq')).toContain(15673);
    expect(published('postgres')).toEqual([15432]);
  });

  it('keeps judge scalable and every profile-only service out of the default profile', () => {
    const doc = parse(compose('config'));
    expect(doc.services.judge.ports ?? []).toEqual([]);
    expect(doc.services.judge.container_name).toBeUndefined();
    // Profile-only: in one profile or more (the shards serve sharded and proxy), never the default.
    for (const n of [
      'redis-shard-0',
      'redis-node-0',
      'redis-cluster-init',
      'judge',
      'twemproxy',
      'redis-sentinel-0',
    ])
      expect(doc.services[n].profiles?.length, n).toBeGreaterThan(0);
  });

  it('publishes rpc-gateway only with AUTH_TOKENS set (unset, every method is open to anyone)', () => {
    const args = PROFILES.filter((p) => p !== 'default').flatMap((p) => ['--profile', p]);
    const doc = parse(compose(...args, 'config'));
    const gateways = Object.entries<{
      image?: string;
      environment?: Record<string, string>;
      ports?: { target: number; published?: string }[];
    }>(doc.services).filter(([, svc]) => svc.image === 'fopnp/rpc-gateway:local');
    expect(gateways.length).toBeGreaterThan(0);
    for (const [name, svc] of gateways) {
      const env = svc.environment ?? {};
      const rpcPublished = (svc.ports ?? []).some((p) => p.published && p.target === Number(env.PORT));
      if (rpcPublished) expect(env.AUTH_TOKENS ?? '', `${name} publishes ${env.PORT}`).toMatch(/=/);
    }
  });
});
