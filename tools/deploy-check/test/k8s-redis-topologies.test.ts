/**
 * k8s/overlays/redis-sentinel and k8s/overlays/redis-proxy: the dev overlay plus redis-cache's
 * Sentinel group or its twemproxy and shards. Rendered with `kubectl kustomize`, held to the
 * same checks as the other overlays (API schemas, GA versions, hardening, namespace), then to
 * what each topology needs and to agreement with redis-cache's manifest and compose.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { twemproxyPoolYaml } from '@fopnp/net';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CURRENT_API_VERSIONS,
  checkHardening,
  type K8sObject,
  renderKustomize,
  validateSchemas,
} from '../src/checks/k8s.ts';
import { loadServices, REPO_ROOT } from '../src/manifests.ts';

const OVERLAYS = ['k8s/overlays/redis-sentinel', 'k8s/overlays/redis-proxy'];
const rendered = new Map<string, K8sObject[]>();
const find = (overlay: string, kind: string, name: string) =>
  rendered.get(overlay)!.find((o) => o.kind === kind && String(o.metadata.name).startsWith(name));

beforeAll(() => {
  for (const o of OVERLAYS) rendered.set(o, renderKustomize(o));
});

/** The option values redis-cache's manifest accepts, by env var. */
async function redisCacheOptions() {
  const { services } = await loadServices();
  const m = services.find((s) => s.manifest.name === 'redis-cache')!.manifest;
  return new Map(Object.values(m.options).map((o) => [o.env, o]));
}

describe.each(OVERLAYS)('%s', (overlay) => {
  it('renders objects that validate against the API schemas, GA versions only, hardened, in fopnp', async () => {
    const objs = rendered.get(overlay)!;
    expect(await validateSchemas(objs)).toEqual([]);
    for (const o of objs)
      expect(CURRENT_API_VERSIONS.has(o.apiVersion), `${o.kind} ${o.apiVersion}`).toBe(true);
    expect(checkHardening(objs)).toEqual([]);
    for (const o of objs.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace).toBe('fopnp');
  });

  it('sets only options redis-cache declares, with values its choices allow', async () => {
    const options = await redisCacheOptions();
    const data = find(overlay, 'ConfigMap', 'redis-cache-config').data as Record<string, string>;
    for (const [k, v] of Object.entries(data)) {
      const spec = options.get(k);
      expect(spec, k).toBeDefined();
      if (spec?.type === 'enum') expect(spec.choices, k).toContain(v);
    }
  });
});

describe('redis-sentinel', () => {
  const overlay = 'k8s/overlays/redis-sentinel';
  it('runs three data pods (pod 0 starts as master) and three sentinels with quorum 2 on stable names', () => {
    const data = find(overlay, 'StatefulSet', 'redis-sentinel-data');
    expect(data.spec.replicas).toBe(3);
    const script = data.spec.template.spec.containers[0].args[0] as string;
    expect(script).toMatch(/--replicaof redis-sentinel-data-0\.redis-sentinel-data 6379/);
    expect(script).toMatch(/--replica-announce-ip "\$me"/);
    const sentinels = find(overlay, 'StatefulSet', 'redis-sentinel');
    expect(sentinels.metadata.name).toBe('redis-sentinel');
    expect(sentinels.spec.replicas).toBe(3);
    const conf = sentinels.spec.template.spec.containers[0].args[0] as string;
    expect(conf).toMatch(/^sentinel monitor fopnp redis-sentinel-data-0\.redis-sentinel-data 6379 2$/m);
    expect(conf).toMatch(/^sentinel resolve-hostnames yes$/m);
    expect(conf).toMatch(/^sentinel announce-hostnames yes$/m);
    for (const name of ['redis-sentinel-data', 'redis-sentinel']) {
      const svc = find(overlay, 'Service', name);
      expect(svc.spec.clusterIP, name).toBe('None');
      expect(svc.spec.publishNotReadyAddresses, name).toBe(true);
    }
  });

  it('points redis-cache at the three sentinels, under the name they monitor', () => {
    const data = find(overlay, 'ConfigMap', 'redis-cache-config').data;
    expect(data.CACHE_TOPOLOGY).toBe('sentinel');
    expect(data.REDIS_SENTINELS.split(',')).toEqual(
      [0, 1, 2].map((i) => `redis-sentinel-${i}.redis-sentinel:26379`),
    );
    expect(data.REDIS_SENTINEL_MASTER).toBe('fopnp');
  });
});

describe('redis-proxy', () => {
  const overlay = 'k8s/overlays/redis-proxy';
  it("runs four shards and twemproxy with the platform's pool (the same as compose and the local stack)", () => {
    expect(find(overlay, 'StatefulSet', 'redis-shard').spec.replicas).toBe(4);
    const config = find(overlay, 'ConfigMap', 'twemproxy-config');
    const shards = [0, 1, 2, 3].map((i) => `redis-shard-${i}.redis-shard:6379`);
    expect(config.data['nutcracker.yml']).toBe(`${twemproxyPoolYaml('0.0.0.0:22121', shards).join('\n')}\n`);
    const dep = find(overlay, 'Deployment', 'twemproxy');
    expect(dep.spec.template.spec.volumes[0].configMap.name).toBe(config.metadata.name);
    expect(dep.spec.template.spec.containers[0].image).toBe('fopnp-twemproxy:local');
    // The image the overlay names is the one compose builds.
    const compose = readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    expect(compose).toMatch(/image: fopnp-twemproxy:local\n\s+build:\n\s+context: deploy\/twemproxy/);
  });

  it("gives redis-cache twemproxy's address and the pool's servers, distribution, hash and names", () => {
    const data = find(overlay, 'ConfigMap', 'redis-cache-config').data;
    expect(data.CACHE_TOPOLOGY).toBe('proxy');
    expect(data.TWEMPROXY_URL).toBe('redis://twemproxy:22121');
    expect(data.REDIS_SHARDS.split(',')).toEqual(
      [0, 1, 2, 3].map((i) => `redis://redis-shard-${i}.redis-shard:6379`),
    );
    expect([data.SHARD_STRATEGY, data.SHARD_HASH, data.SHARD_NAMES]).toEqual([
      'ketama',
      'fnv1a_64',
      'shard0,shard1,shard2,shard3',
    ]);
  });
});
