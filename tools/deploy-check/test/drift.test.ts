import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkCalls } from '../src/checks/calls.ts';
import { checkCompose } from '../src/checks/compose.ts';
import { checkK8sDrift, type K8sObject, renderKustomize } from '../src/checks/k8s.ts';
import { type LoadedService, loadServices, REPO_ROOT, serviceFolders } from '../src/manifests.ts';
import { renderDockerfile } from '../src/render/dockerfile.ts';

let services: LoadedService[];
let missing: string[];
// biome-ignore lint/suspicious/noExplicitAny: YAML document
let compose: any;
let base: K8sObject[];
const clone = <T>(v: T): T => structuredClone(v);

beforeAll(async () => {
  ({ services, missing } = await loadServices());
  compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'));
  base = renderKustomize('k8s/base');
});

describe('the declarations', () => {
  it('exist for every service folder (src/manifest.ts exporting manifest)', () => {
    expect(serviceFolders().length).toBeGreaterThanOrEqual(3);
    expect(missing).toEqual([]);
  });

  it('are named after their folders', () => {
    for (const s of services) expect(s.manifest.name).toBe(s.folder);
  });
});

describe('the calls between services', () => {
  it('name options that address the called service on the declared port when deployed', () => {
    const manifests = services.map((s) => s.manifest);
    expect(manifests.some((m) => m.calls?.length)).toBe(true);
    expect(checkCalls(manifests)).toEqual([]);
  });

  it('fail when a call names the wrong option, port or service', () => {
    const gateway = services.find((s) => s.manifest.calls?.length)!.manifest;
    const [first] = gateway.calls!;
    const other = gateway.calls!.find((c) => c.service !== first!.service)!;
    const broken = {
      ...gateway,
      calls: [
        { ...first!, option: other.option },
        { ...first!, service: 'nowhere' },
      ],
    };
    const problems = checkCalls([...services.map((s) => s.manifest).filter((m) => m !== gateway), broken]);
    const callee = services.find((s) => s.manifest.name === first!.service)!.manifest;
    const port = callee.options[callee.ports.find((p) => p.name === first!.port)!.option]!.default;
    const value = JSON.stringify(String(gateway.options[other.option]!.default));
    expect(problems).toContain(
      `${gateway.name}: option ${other.option} is ${value} when deployed, not an address of ${first!.service}:${port} as its call declares`,
    );
    expect(problems).toContain(`${gateway.name} calls nowhere, which no manifest declares`);
  });
});

describe('docker-compose.yml', () => {
  it('matches every manifest: services, ports, env names and defaults, health checks, backing services', () => {
    expect(checkCompose(compose, services)).toEqual([]);
  });

  it('fails when a service is missing', () => {
    const doc = clone(compose);
    delete doc.services['tcp-farewell'];
    expect(checkCompose(doc, services)).toContain(
      'tcp-farewell: declared in services/tcp-farewell but missing from docker-compose.yml',
    );
  });

  it('fails when a published port drifts from the declared one', () => {
    const doc = clone(compose);
    doc.services['zen-asyncio'].ports = ['1062:1062/tcp', '9104:9104/tcp'];
    const problems = checkCompose(doc, services);
    expect(problems).toContain(
      'zen-asyncio (zen-asyncio): publishes 1062/tcp, which its manifest does not declare',
    );
    expect(problems).toContain('zen-asyncio (zen-asyncio): port zen 1061/tcp is not published');
  });

  it('fails on an undeclared env var, a changed default and a missing one', () => {
    const doc = clone(compose);
    const env = doc.services['tcp-farewell'].environment;
    env.IDLE_TIMEOUT = '5000';
    env.PORT = '1070';
    delete env.LOG_LEVEL;
    const problems = checkCompose(doc, services);
    expect(problems).toContain(
      'tcp-farewell (tcp-farewell): env IDLE_TIMEOUT is not declared in its manifest',
    );
    expect(problems).toContain('tcp-farewell (tcp-farewell): env PORT="1070", expected "1060"');
    expect(problems).toContain(
      'tcp-farewell (tcp-farewell): env LOG_LEVEL (declared, default info) is missing',
    );
  });

  it('fails when a health check asks another port or an unknown path', () => {
    const doc = clone(compose);
    const hc = doc.services['tcp-farewell'].healthcheck;
    hc.test = hc.test.map((t: string) => t.replace('127.0.0.1:9102/readyz', '127.0.0.1:9100/health'));
    const problems = checkCompose(doc, services);
    expect(problems).toContain(
      'tcp-farewell (tcp-farewell): healthcheck asks port 9100, the health port is 9102',
    );
    expect(problems.some((p) => p.includes('healthcheck path /health is not one of'))).toBe(true);
  });

  it('fails when a service stops waiting for its backing service', () => {
    const needy = services.find((s) => s.manifest.needs.includes('redis'));
    expect(needy, 'a service that needs redis').toBeDefined();
    const doc = clone(compose);
    delete doc.services[needy!.manifest.name].depends_on;
    expect(checkCompose(doc, services)).toContain(
      `${needy!.manifest.name} (${needy!.manifest.name}): must wait for redis (condition: service_healthy)`,
    );
  });
});

describe('deploy/compose.e2e.yml', () => {
  it('covers every default-profile service (so a crash fails the end-to-end test)', () => {
    const override = parse(readFileSync(path.join(REPO_ROOT, 'deploy/compose.e2e.yml'), 'utf8'));
    const defaults = Object.entries(compose.services)
      .filter(([, s]) => !(s as { profiles?: string[] }).profiles)
      .map(([n]) => n)
      .sort();
    expect(Object.keys(override.services).sort()).toEqual(defaults);
    for (const s of Object.values(override.services)) expect((s as { restart: string }).restart).toBe('no');
  });
});

describe('k8s/base', () => {
  it('matches every manifest: Deployment, Service, ConfigMap, ports, protocols, env, probes', () => {
    expect(checkK8sDrift(base, services)).toEqual([]);
  });

  it('keeps UDP services on UDP Service ports', () => {
    const udp = services.filter((s) => s.manifest.ports.some((p) => p.protocol === 'udp'));
    expect(udp.length).toBeGreaterThan(0);
    for (const s of udp) {
      const svc = base.find((o) => o.kind === 'Service' && o.metadata.name === s.manifest.name);
      expect(svc.spec.ports.some((p: { protocol: string }) => p.protocol === 'UDP')).toBe(true);
    }
  });

  it('fails when a probe path, a port or a service drifts', () => {
    const objs = clone(base);
    const dep = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'tcp-farewell');
    dep.spec.template.spec.containers[0].readinessProbe.httpGet.path = '/ready';
    const svc = objs.find((o) => o.kind === 'Service' && o.metadata.name === 'zen-asyncio');
    svc.spec.ports[0].port = 1062;
    const without = objs.filter((o) => !(o.kind === 'Deployment' && o.metadata.name === 'http-app'));
    const problems = checkK8sDrift(without, services);
    expect(problems).toContain('tcp-farewell: readinessProbe path /ready, expected /readyz');
    expect(problems).toContain('zen-asyncio: Service port zen should be 1061/TCP');
    expect(problems.some((p) => p.startsWith('http-app: missing from k8s'))).toBe(true);
  });
});

describe('each Dockerfile', () => {
  it('is the template rendered for its manifest (ports, health port, command)', () => {
    for (const s of services) {
      const file = path.join(REPO_ROOT, 'services', s.folder, 'Dockerfile');
      expect(readFileSync(file, 'utf8'), `services/${s.folder}/Dockerfile`).toBe(renderDockerfile(s));
    }
  });
});
