/**
 * Checks of rendered Kubernetes manifests: schema validation with kubernetes-models,
 * current (non-deprecated) API versions only, the hardening every workload must have, and
 * drift against the manifests (ports, protocols, env names, probe paths and ports).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { HEALTH_PATHS } from '@fopnp/net';
import { parseAllDocuments } from 'yaml';
import { healthOption, type LoadedService, portEnv, REPO_ROOT } from '../manifests.js';

// biome-ignore lint/suspicious/noExplicitAny: rendered objects are untyped YAML
export type K8sObject = any;

/** GA API versions of the kinds we use; anything else is deprecated, removed or beta. */
export const CURRENT_API_VERSIONS = new Set([
  'v1',
  'apps/v1',
  'batch/v1',
  'policy/v1',
  'autoscaling/v2',
  'networking.k8s.io/v1',
  'rbac.authorization.k8s.io/v1',
]);

/** `kubectl kustomize DIR` (offline) split into objects. */
export function renderKustomize(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', path.resolve(REPO_ROOT, dir)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return splitYaml(out);
}

export function splitYaml(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(d.errors.map((e) => e.message).join('; '));
      return d.toJS();
    })
    .filter((o) => o);
}

const id = (o: K8sObject) => `${o?.kind}/${o?.metadata?.name}`;

/** Validates each object against the Kubernetes OpenAPI schema of its apiVersion and kind. */
export async function validateSchemas(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const o of objects) {
    const apiVersion = String(o.apiVersion ?? '');
    if (!CURRENT_API_VERSIONS.has(apiVersion)) {
      problems.push(`${id(o)}: apiVersion ${apiVersion} is not a current GA API`);
      continue;
    }
    let mod: Record<string, new (data: unknown) => { validate(): void }>;
    try {
      mod = await import(`kubernetes-models/${apiVersion}`);
    } catch {
      problems.push(`${id(o)}: no schema for ${apiVersion}`);
      continue;
    }
    const Model = mod[o.kind];
    if (!Model) {
      problems.push(`${id(o)}: ${o.kind} is not a kind of ${apiVersion}`);
      continue;
    }
    // kustomize wraps long base64 Secret data over lines; the API server's decoder skips
    // the newlines, the schema's "byte" format does not: validate the unwrapped value.
    const data =
      o.kind === 'Secret' && o.data
        ? {
            ...o,
            data: Object.fromEntries(
              Object.entries(o.data).map(([k, v]) => [k, String(v).replace(/\s/g, '')]),
            ),
          }
        : o;
    try {
      new Model(data).validate();
    } catch (err) {
      problems.push(`${id(o)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return problems;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

/** securityContext, requests/limits and probes on every container of every workload. */
export function checkHardening(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects.filter((x) => WORKLOADS.has(x.kind))) {
    const pod = o.spec?.template?.spec ?? {};
    if (pod.securityContext?.runAsNonRoot !== true) problems.push(`${id(o)}: pod runAsNonRoot is not true`);
    for (const c of pod.containers ?? []) {
      const where = `${id(o)} container ${c.name}`;
      const sc = c.securityContext ?? {};
      if (sc.allowPrivilegeEscalation !== false)
        problems.push(`${where}: allowPrivilegeEscalation not false`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities not dropped`);
      if (o.kind === 'Deployment' && sc.readOnlyRootFilesystem !== true)
        problems.push(`${where}: root filesystem not read-only`);
      if (!c.resources?.requests || !c.resources?.limits)
        problems.push(`${where}: no resource requests/limits`);
      if (!c.livenessProbe || !c.readinessProbe)
        problems.push(`${where}: missing liveness or readiness probe`);
    }
  }
  return problems;
}

/**
 * Drift of the rendered base against the manifests: one Deployment, Service and ConfigMap
 * per service; container and Service ports as declared (UDP stays UDP); probes on the
 * health port at HEALTH_PATHS; only declared env vars, every default present.
 */
export function checkK8sDrift(objects: K8sObject[], services: LoadedService[]): string[] {
  const problems: string[] = [];
  const find = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata?.name === name);
  const secretsOf = (prefix: string) =>
    objects.filter((o) => o.kind === 'Secret' && String(o.metadata?.name).startsWith(prefix));
  for (const { manifest: m } of services) {
    const dep = find('Deployment', m.name);
    const svc = find('Service', m.name);
    const cm = find('ConfigMap', `${m.name}-config`);
    if (!dep || !svc || !cm) {
      problems.push(`${m.name}: missing from k8s (Deployment ${!!dep}, Service ${!!svc}, ConfigMap ${!!cm})`);
      continue;
    }
    const env = new Map<string, string>(Object.entries(cm.data ?? {}));
    for (const s of secretsOf(`${m.name}-secrets`))
      for (const k of Object.keys(s.data ?? s.stringData ?? {})) env.set(k, '(secret)');
    const declared = new Map(
      Object.values(m.options)
        .filter((o) => o.env)
        .map((o) => [o.env!, o]),
    );
    for (const k of env.keys()) if (!declared.has(k)) problems.push(`${m.name}: env ${k} is not declared`);
    for (const [k, spec] of declared)
      if (spec.default !== undefined && !env.has(k))
        problems.push(`${m.name}: declared env ${k} missing from k8s`);
    const value = (option: string) => Number(env.get(portEnv(m, option).env) ?? portEnv(m, option).port);

    const container = dep.spec?.template?.spec?.containers?.find((c: K8sObject) => c.name === m.name);
    if (!container) {
      problems.push(`${m.name}: Deployment has no container named ${m.name}`);
      continue;
    }
    const refs = (container.envFrom ?? []).map((e: K8sObject) => e.configMapRef?.name ?? e.secretRef?.name);
    if (!refs.includes(`${m.name}-config`))
      problems.push(`${m.name}: container does not read ${m.name}-config`);
    if (JSON.stringify(container.args ?? []) !== JSON.stringify(m.command))
      problems.push(
        `${m.name}: args ${JSON.stringify(container.args)}, manifest command ${JSON.stringify(m.command)}`,
      );
    const wantPorts = [
      ...m.ports.map((p) => ({ name: p.name, port: value(p.option), protocol: p.protocol.toUpperCase() })),
      { name: 'health', port: value(healthOption(m)), protocol: 'TCP' },
    ];
    for (const w of wantPorts) {
      const cp = (container.ports ?? []).find((p: K8sObject) => p.name === w.name);
      if (!cp || cp.containerPort !== w.port || (cp.protocol ?? 'TCP') !== w.protocol)
        problems.push(`${m.name}: container port ${w.name} should be ${w.port}/${w.protocol}`);
      const sp = (svc.spec?.ports ?? []).find((p: K8sObject) => p.name === w.name);
      if (!sp || sp.port !== w.port || (sp.protocol ?? 'TCP') !== w.protocol)
        problems.push(`${m.name}: Service port ${w.name} should be ${w.port}/${w.protocol}`);
    }
    for (const p of container.ports ?? [])
      if (!wantPorts.some((w) => w.name === p.name))
        problems.push(`${m.name}: undeclared container port ${p.name}`);
    const probe = (kind: string, p: K8sObject, wantPath: string) => {
      const port = p?.httpGet?.port;
      const portNumber =
        typeof port === 'string'
          ? container.ports?.find((x: K8sObject) => x.name === port)?.containerPort
          : port;
      if (p?.httpGet?.path !== wantPath)
        problems.push(`${m.name}: ${kind} path ${p?.httpGet?.path}, expected ${wantPath}`);
      if (portNumber !== value(healthOption(m)))
        problems.push(
          `${m.name}: ${kind} on port ${port}, expected the health port ${value(healthOption(m))}`,
        );
    };
    probe('livenessProbe', container.livenessProbe, HEALTH_PATHS.liveness);
    probe('readinessProbe', container.readinessProbe, HEALTH_PATHS.readiness);
    if (svc.spec?.selector?.app !== m.name) problems.push(`${m.name}: Service does not select app=${m.name}`);
  }
  for (const o of objects.filter((x) => x.kind === 'Deployment'))
    if (!services.some((s) => s.manifest.name === o.metadata?.name))
      problems.push(`Deployment/${o.metadata?.name}: no service declares it`);
  return problems;
}
