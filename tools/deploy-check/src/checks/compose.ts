/**
 * Drift between docker-compose.yml and the manifests: every service present in the default
 * profile, built from its own Dockerfile; env var names known to the manifest, defaults
 * as declared (or the values the manifest's deployment declares); declared ports published with the
 * right protocol; health checks on the health port and a HEALTH_PATHS path; backing
 * services defined, healthy before the services that need them.
 */
import { HEALTH_PATHS } from '@fopnp/net';
import { BACKING_URLS, instancesOf } from '../instances.js';
import { healthOption, type LoadedService, portEnv } from '../manifests.js';
import { instanceEnv } from '../render/compose.js';

// biome-ignore lint/suspicious/noExplicitAny: compose documents are untyped YAML
type Doc = any;

interface PortEntry {
  target: number;
  published?: number;
  protocol: string;
}

/** Short ("8000:8000/tcp", "9107") or long port syntax → {target, published, protocol}. */
export function parsePort(p: unknown): PortEntry {
  if (typeof p === 'object' && p) {
    const o = p as { target: number; published?: number | string; protocol?: string };
    return {
      target: Number(o.target),
      ...(o.published !== undefined ? { published: Number(o.published) } : {}),
      protocol: o.protocol ?? 'tcp',
    };
  }
  const [spec, protocol = 'tcp'] = String(p).split('/');
  const parts = spec!.split(':');
  const target = Number(parts.at(-1));
  const published = parts.length > 1 ? Number(parts.at(-2)) : undefined;
  return { target, ...(published !== undefined ? { published } : {}), protocol: protocol! };
}

function envOf(svc: Doc): Map<string, string> {
  const env = svc.environment ?? {};
  if (Array.isArray(env))
    return new Map(
      env.map((e: string) => {
        const i = e.indexOf('=');
        return [e.slice(0, i), e.slice(i + 1)] as [string, string];
      }),
    );
  return new Map(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

function dependsOn(svc: Doc): Map<string, string> {
  const d = svc.depends_on ?? {};
  if (Array.isArray(d)) return new Map(d.map((n: string) => [n, 'service_started']));
  return new Map(Object.entries(d).map(([n, v]) => [n, (v as { condition?: string }).condition ?? '']));
}

export function checkCompose(doc: Doc, services: LoadedService[]): string[] {
  const problems: string[] = [];
  const composeServices: Record<string, Doc> = doc?.services ?? {};
  const byName = new Map(services.map((s) => [s.manifest.name, s]));
  const expected = instancesOf(services.map((s) => s.manifest));

  for (const svc of services) {
    const name = svc.manifest.name;
    const c = composeServices[name];
    if (!c) {
      problems.push(`${name}: declared in services/${svc.folder} but missing from docker-compose.yml`);
      continue;
    }
    if (c.profiles?.length)
      problems.push(`${name}: must be in the default profile (has profiles ${c.profiles})`);
    if (c.build?.dockerfile !== `services/${svc.folder}/Dockerfile`)
      problems.push(`${name}: not built from services/${svc.folder}/Dockerfile`);
    for (const need of svc.manifest.needs) {
      const backing = BACKING_URLS[need].host;
      if (!composeServices[backing]) problems.push(`${name} needs ${need}: no "${backing}" service`);
      else if (!composeServices[backing].healthcheck)
        problems.push(`${backing}: no healthcheck, so "${name}" cannot wait for it`);
    }
  }

  for (const [cname, c] of Object.entries(composeServices)) {
    const image = String(c.image ?? '');
    const m = image.match(/^fopnp\/([a-z0-9-]+):/);
    if (!m) continue;
    const svc = byName.get(m[1]!);
    if (!svc) {
      problems.push(`${cname}: image ${image} names no service with a manifest`);
      continue;
    }
    const manifest = svc.manifest;
    const where = `${cname} (${manifest.name})`;
    const inst = expected.find((i) => i.name === cname);
    if (!inst) {
      problems.push(`${where}: not an instance its manifest declares (deploy.variants)`);
      continue;
    }
    const env = envOf(c);
    const want = instanceEnv(manifest, inst);
    const declared = new Set(
      Object.values(manifest.options)
        .map((o) => o.env)
        .filter(Boolean),
    );
    for (const [k, v] of env) {
      if (!declared.has(k)) problems.push(`${where}: env ${k} is not declared in its manifest`);
      else if (want.get(k) !== v)
        problems.push(`${where}: env ${k}=${JSON.stringify(v)}, expected ${JSON.stringify(want.get(k))}`);
      if (/(^|\/\/|@)(127\.0\.0\.1|localhost)(:\d+|\/|$)/.test(v))
        problems.push(`${where}: env ${k}=${v} points at the container itself`);
    }
    for (const k of want.keys())
      if (!env.has(k)) problems.push(`${where}: env ${k} (declared, default ${want.get(k)}) is missing`);

    const ports = (c.ports ?? []).map(parsePort);
    const portValue = (option: string) =>
      Number(env.get(portEnv(manifest, option).env) ?? portEnv(manifest, option).port);
    const declaredPorts = [
      ...manifest.ports.map((p) => ({ name: p.name, port: portValue(p.option), protocol: p.protocol })),
      { name: 'health', port: portValue(healthOption(manifest)), protocol: 'tcp' },
    ];
    for (const p of ports) {
      if (!declaredPorts.some((d) => d.port === p.target && d.protocol === p.protocol))
        problems.push(`${where}: publishes ${p.target}/${p.protocol}, which its manifest does not declare`);
    }
    for (const d of declaredPorts) {
      const wanted = inst.publish[d.port] !== undefined && !inst.scalable;
      const got = ports.find((p: PortEntry) => p.target === d.port && p.protocol === d.protocol);
      if (wanted && !got) problems.push(`${where}: port ${d.name} ${d.port}/${d.protocol} is not published`);
      if (inst.scalable && got?.published)
        problems.push(`${where}: scalable, must not publish a fixed host port`);
    }

    const test: string[] = c.healthcheck?.test ?? [];
    const hcText = Array.isArray(test) ? test.join(' ') : String(test);
    const healthPort = portValue(healthOption(manifest));
    const url = hcText.match(/127\.0\.0\.1:(\d+)(\/[a-z]+)/);
    if (!url) problems.push(`${where}: healthcheck does not ask the health port over HTTP`);
    else {
      if (Number(url[1]) !== healthPort)
        problems.push(`${where}: healthcheck asks port ${url[1]}, the health port is ${healthPort}`);
      if (!(Object.values(HEALTH_PATHS) as string[]).includes(url[2]!))
        problems.push(`${where}: healthcheck path ${url[2]} is not one of ${Object.values(HEALTH_PATHS)}`);
    }
    if (!c.restart) problems.push(`${where}: no restart policy`);
    if (!c.mem_limit && !c.deploy?.resources?.limits) problems.push(`${where}: no resource limits`);

    const deps = dependsOn(c);
    for (const d of inst.dependsOn)
      if (deps.get(d) !== 'service_healthy')
        problems.push(`${where}: must wait for ${d} (condition: service_healthy)`);
    for (const d of inst.completed ?? [])
      if (deps.get(d) !== 'service_completed_successfully')
        problems.push(`${where}: must wait for the one-shot ${d} (service_completed_successfully)`);
    for (const [d] of deps)
      if (!composeServices[d]) problems.push(`${where}: depends on ${d}, which is not defined`);
  }

  for (const inst of expected)
    if (byName.has(inst.service) && !composeServices[inst.name])
      problems.push(
        `${inst.name}: instance of ${inst.service} (${inst.profile} profile) missing from docker-compose.yml`,
      );
  return problems;
}
