import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkHardening,
  type K8sObject,
  renderKustomize,
  splitYaml,
  validateSchemas,
} from '../src/checks/k8s.ts';
import { type LoadedService, loadServices } from '../src/manifests.ts';

const OVERLAYS = ['k8s/base', 'k8s/overlays/dev', 'k8s/overlays/prod'];
const rendered = new Map<string, K8sObject[]>();
let services: LoadedService[];

beforeAll(async () => {
  for (const dir of OVERLAYS) rendered.set(dir, renderKustomize(dir));
  ({ services } = await loadServices());
});

const kinds = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);

describe.each(OVERLAYS)('kubectl kustomize %s', (dir) => {
  it('renders objects that all validate against the Kubernetes API schemas', async () => {
    const objs = rendered.get(dir)!;
    expect(objs.length).toBeGreaterThan(services.length * 3);
    expect(await validateSchemas(objs)).toEqual([]);
  });

  it('uses no deprecated or beta API versions', async () => {
    const versions = new Set(rendered.get(dir)!.map((o) => o.apiVersion));
    for (const v of versions)
      expect(['v1', 'apps/v1', 'policy/v1', 'autoscaling/v2', 'networking.k8s.io/v1']).toContain(v);
  });

  it('hardens every workload: non-root, no escalation, no capabilities, limits, probes', () => {
    expect(checkHardening(rendered.get(dir)!)).toEqual([]);
  });

  it('puts everything in the fopnp namespace', () => {
    for (const o of rendered.get(dir)!.filter((x) => x.kind !== 'Namespace'))
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('fopnp');
  });
});

describe('the validation itself', () => {
  it('rejects an object that breaks the schema, and a deprecated API', async () => {
    const [bad, old] = splitYaml(`apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  replicas: "two"
  selector: {matchLabels: {app: x}}
  template: {metadata: {labels: {app: x}}, spec: {containers: [{name: x, image: x}]}}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: x}
spec: {minAvailable: 1}
`);
    const problems = await validateSchemas([bad, old]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^Deployment\/x: .*replicas/);
    expect(problems[1]).toBe('PodDisruptionBudget/x: apiVersion policy/v1beta1 is not a current GA API');
  });

  it('flags a container that may run as root with a writable filesystem', () => {
    const [dep] = splitYaml(`apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  selector: {matchLabels: {app: x}}
  template: {metadata: {labels: {app: x}}, spec: {containers: [{name: x, image: x}]}}
`);
    const problems = checkHardening([dep]);
    expect(problems).toContain('Deployment/x: pod runAsNonRoot is not true');
    expect(problems).toContain('Deployment/x container x: root filesystem not read-only');
  });
});

describe('overlays', () => {
  it('dev runs Redis, RabbitMQ and PostgreSQL as one-replica StatefulSets with persistent volumes', () => {
    const dev = rendered.get('k8s/overlays/dev')!;
    for (const name of ['redis', 'rabbitmq', 'postgres']) {
      const sts = kinds(dev, 'StatefulSet').find((o) => o.metadata.name === name);
      expect(sts, name).toBeDefined();
      expect(sts.spec.replicas).toBe(1);
      expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBeDefined();
      expect(kinds(dev, 'Service').find((o) => o.metadata.name === name)).toBeDefined();
    }
    for (const d of kinds(dev, 'Deployment')) expect(d.spec.replicas, d.metadata.name).toBe(1);
  });

  it('prod points at external backing services and adds HPAs, PDBs, NetworkPolicies and an Ingress', () => {
    const prod = rendered.get('k8s/overlays/prod')!;
    expect(kinds(prod, 'StatefulSet')).toEqual([]);
    for (const name of ['redis', 'rabbitmq', 'postgres'])
      expect(kinds(prod, 'Service').find((o) => o.metadata.name === name)?.spec.type).toBe('ExternalName');
    const deployed = services.map((s) => s.manifest.name);
    const stateless = services.filter((s) => s.manifest.deploy?.stateless).map((s) => s.manifest.name);
    expect(
      kinds(prod, 'HorizontalPodAutoscaler')
        .map((o) => o.spec.scaleTargetRef.name)
        .sort(),
    ).toEqual(stateless.sort());
    expect(
      kinds(prod, 'PodDisruptionBudget')
        .map((o) => o.spec.selector.matchLabels.app)
        .sort(),
    ).toEqual(stateless.sort());
    for (const n of stateless)
      expect(
        kinds(prod, 'Deployment').find((o) => o.metadata.name === n).spec.replicas,
        n,
      ).toBeGreaterThanOrEqual(2);
    const policies = kinds(prod, 'NetworkPolicy');
    expect(policies.find((p) => p.metadata.name === 'default-deny')?.spec.policyTypes).toEqual([
      'Ingress',
      'Egress',
    ]);
    for (const n of deployed)
      expect(
        policies.find((p) => p.metadata.name === n),
        n,
      ).toBeDefined();
    if (deployed.includes('http-app')) {
      const ing = kinds(prod, 'Ingress').find((o) => o.metadata.name === 'http-app');
      expect(ing.spec.rules[0].http.paths[0].backend.service.name).toBe('http-app');
    }
  });

  it('prod lets each service reach only its backing services and the services it calls', () => {
    const prod = rendered.get('k8s/overlays/prod')!;
    for (const { manifest: m } of services) {
      const policy = kinds(prod, 'NetworkPolicy').find((p) => p.metadata.name === m.name);
      const ports = (policy.spec.egress ?? []).flatMap((e: K8sObject) =>
        e.ports.map((p: K8sObject) => p.port),
      );
      const backing = { redis: 6379, rabbitmq: 5672, postgres: 5432 };
      for (const need of m.needs) expect(ports, `${m.name} → ${need}`).toContain(backing[need]);
      if (m.needs.length === 0 && m.name !== 'rpc-gateway') expect(ports, m.name).toEqual([]);
    }
  });
});
