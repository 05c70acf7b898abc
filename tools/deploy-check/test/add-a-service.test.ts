/**
 * The "add a service" walkthrough of docs/service-pattern.md, followed by a test: a
 * workspace holding the real services plus test/fixtures/fixture-echo (a package.json
 * exporting ./manifest and ./smoke, the two files, nothing else), and every tool picks the
 * new service up — compose, k8s, its Dockerfile, the local stack's plan and the smoke
 * tour — with no tool edited.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions, runService, type ServiceManifest } from '@fopnp/net';
import { freePort } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { discover, discoverCompose } from '../../stack/src/discover.ts';
import { runSmoke } from '../../stack/src/smoke.ts';
import { checkCalls } from '../src/checks/calls.ts';
import { checkCompose } from '../src/checks/compose.ts';
import { splitYaml } from '../src/checks/k8s.ts';
import { type LoadedService, loadServices, REPO_ROOT } from '../src/manifests.ts';
import { renderCompose } from '../src/render/compose.ts';
import { renderDockerfile } from '../src/render/dockerfile.ts';
import { renderK8sBase } from '../src/render/k8s.ts';

const NAME = 'fixture-echo';
const FIXTURE = fileURLToPath(new URL(`./fixtures/${NAME}`, import.meta.url));
// Inside the package, so the fixture's `import '@fopnp/net'` resolves through its node_modules.
const PKG_DIR = fileURLToPath(new URL('..', import.meta.url));

let root: string;
let services: LoadedService[];
let fixture: ServiceManifest;
// biome-ignore lint/suspicious/noExplicitAny: YAML document
let compose: any;

beforeAll(async () => {
  root = mkdtempSync(path.join(PKG_DIR, '.add-a-service-'));
  writeFileSync(path.join(root, 'pnpm-workspace.yaml'), 'packages:\n  - services/*\n');
  mkdirSync(path.join(root, 'services'));
  for (const folder of readdirSync(path.join(REPO_ROOT, 'services')))
    symlinkSync(path.join(REPO_ROOT, 'services', folder), path.join(root, 'services', folder));
  // The walkthrough's one step: the new service's folder.
  cpSync(FIXTURE, path.join(root, 'services', NAME), { recursive: true });

  const loaded = await loadServices({ root });
  expect(loaded.missing).toEqual([]);
  services = loaded.services;
  fixture = services.find((s) => s.manifest.name === NAME)!.manifest;
  const text = renderCompose(services);
  writeFileSync(path.join(root, 'docker-compose.yml'), text);
  compose = parse(text);
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('a new service folder with only its manifest and smoke check', () => {
  it('is found among the services, by its ./manifest export', () => {
    expect(fixture).toBeDefined();
    expect(services.length).toBe(readdirSync(path.join(REPO_ROOT, 'services')).length + 1);
  });

  it('gets a compose service that passes the drift check: env, ports, health, depends_on, its variant', () => {
    const svc = compose.services[NAME];
    expect(svc.image).toBe(`fopnp/${NAME}:local`);
    expect(svc.build.dockerfile).toBe(`services/${NAME}/Dockerfile`);
    expect(svc.environment).toMatchObject({
      HOST: '0.0.0.0',
      PORT: '1099',
      REDIS_URL: 'redis://redis:6379',
      API_TOKEN: 'dev-only-fixture-token',
      FAREWELL_ADDRESS: 'tcp-farewell:1060',
      SHOUT: 'false',
    });
    expect(svc.ports).toEqual(['1099:1099/tcp', '9199:9199/tcp']);
    expect(Object.keys(svc.depends_on)).toEqual(['redis', 'tcp-farewell']);
    const loud = compose.services[`${NAME}-loud`];
    expect(loud.profiles).toEqual(['loud']);
    expect(loud.environment.SHOUT).toBe('true');
    expect(loud.ports).toEqual(['1109:1099/tcp']);
    expect(checkCompose(compose, services)).toEqual([]);
    expect(checkCalls(services.map((s) => s.manifest))).toEqual([]);
  });

  it('is listed in the compose header with its profile', () => {
    expect(renderCompose(services)).toMatch(
      /docker compose --profile loud up -d +\+ fixture-echo-loud on :1109/,
    );
  });

  it('gets k8s objects: Deployment, Service, ConfigMap, Secret, HPA, PDB and a NetworkPolicy to what it calls', () => {
    const files = renderK8sBase(services);
    const own = splitYaml(files.get(`k8s/base/${NAME}.yaml`)!);
    expect(own.map((o) => o.kind)).toEqual(['ServiceAccount', 'ConfigMap', 'Deployment', 'Service']);
    expect(own[1].data.API_TOKEN).toBeUndefined();
    expect(files.get('k8s/base/kustomization.yaml')).toContain(`  - ${NAME}.yaml`);
    expect(files.get('k8s/base/kustomization.yaml')).toContain(`${NAME}-secrets`);
    const names = (file: string) => splitYaml(files.get(file)!).map((o) => o.metadata.name);
    expect(names('k8s/overlays/prod/autoscaling.yaml')).toContain(NAME);
    expect(names('k8s/overlays/prod/disruption-budgets.yaml')).toContain(NAME);
    const policy = splitYaml(files.get('k8s/overlays/prod/network-policies.yaml')!).find(
      (o) => o.metadata.name === NAME,
    );
    const egress = policy.spec.egress.flatMap((e: { to?: unknown[]; ports: { port: number }[] }) =>
      e.ports.map((p) => `${e.to ? 'pod' : 'backing'}:${p.port}`),
    );
    expect(egress).toEqual(['backing:6379', 'pod:1060']);
  });

  it('gets its Dockerfile from the template', () => {
    const dockerfile = renderDockerfile(services.find((s) => s.manifest.name === NAME)!);
    expect(dockerfile).toContain('EXPOSE 1099/tcp 9199/tcp');
  });

  it("is in the local stack's plan, with compose's env mapped to this machine and its local values", async () => {
    const plan = await discover(root, 'default', 'source');
    const echo = plan.find((s) => s.name === NAME)!;
    expect(echo.env).toMatchObject({
      HOST: '127.0.0.1',
      REDIS_URL: 'redis://127.0.0.1:6379',
      FAREWELL_ADDRESS: '127.0.0.1:1060',
      SHOUT: 'false',
    });
    const loud = await discover(root, 'loud', 'source');
    expect(loud.find((s) => s.name === NAME)?.profile).toBe('loud');
    const composed = await discoverCompose(root, 'loud', 'source');
    expect(composed.map((s) => s.name)).toEqual([`${NAME}-loud`]);
    expect(composed[0]!.published).toEqual({ 1099: 1109 });
  });

  it('is walked by the smoke tour: its health, then its own check, against it running', async () => {
    const plan = await discover(root, 'default', 'source');
    const echo = plan.find((s) => s.name === NAME)!;
    // The fixture has no code: run its manifest with the kit, as `serve` would, on free ports.
    echo.env.PORT = String(await freePort());
    echo.env.HEALTH_PORT = String(await freePort());
    echo.env.LOG_LEVEL = 'silent';
    const { values } = parseOptions(fixture.options, [], echo.env);
    const config = values as Parameters<typeof runService>[0]['config'];
    const running = await runService({
      manifest: fixture,
      config,
      handleSignals: false,
      async start() {
        const server = net.createServer((s) => s.on('data', (d) => s.write(d)));
        await new Promise<void>((r) => server.listen(Number(echo.env.PORT), '127.0.0.1', r));
        return { close: () => new Promise<void>((r) => server.close(() => r())) };
      },
    });
    try {
      const results = await runSmoke([echo]);
      expect(results.map((r) => [r.check, r.outcome, r.detail])).toEqual([
        ['health', 'pass', '/healthz ok, /readyz ok'],
        ['echo a line', 'pass', 'echoed "hello"'],
      ]);
      // And the check can fail: the loud variant's env expects capitals this echo does not give.
      const [, shouted] = await runSmoke([{ ...echo, env: { ...echo.env, SHOUT: 'true' } }]);
      expect(shouted).toMatchObject({ outcome: 'fail', detail: 'expected "HELLO\\n", got "hello\\n"' });
    } finally {
      await running.stop();
    }
  });
});
