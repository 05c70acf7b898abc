/**
 * Finds the services and what they declare: each services/<name> package's built
 * manifest (src/manifest.ts → dist/src/manifest.js) and, when docker-compose.yml exists,
 * the environment compose gives it, with compose host names mapped to this machine.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceManifest } from '@fopnp/net';
import { parse } from 'yaml';

export interface DiscoveredService {
  name: string;
  dir: string;
  cli: string;
  manifest: ServiceManifest;
  /** Environment for the local process (compose's, host names mapped to 127.0.0.1). */
  env: Record<string, string>;
}

interface ComposeService {
  environment?: Record<string, string | number | boolean | null> | string[];
  profiles?: string[];
}
interface ComposeFile {
  services?: Record<string, ComposeService>;
}

export function readCompose(root: string): ComposeFile | undefined {
  const file = join(root, 'docker-compose.yml');
  if (!existsSync(file)) return undefined;
  return parse(readFileSync(file, 'utf8')) as ComposeFile;
}

function composeEnv(svc: ComposeService | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (!svc?.environment) return env;
  if (Array.isArray(svc.environment)) {
    for (const line of svc.environment) {
      const eq = line.indexOf('=');
      if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
    }
  } else {
    for (const [k, v] of Object.entries(svc.environment))
      if (v !== null && v !== undefined) env[k] = String(v);
  }
  return env;
}

/**
 * Rewrites compose host names (service names on the compose network) to 127.0.0.1 in
 * URLs and host:port values, so `redis://redis:6379` becomes `redis://127.0.0.1:6379`.
 */
/** Compose names of backing servers that are several on one local host get their own ports. */
export const LOCAL_PORTS: Record<string, number> = {
  ...Object.fromEntries([0, 1, 2, 3].map((i) => [`redis-shard-${i}`, 6391 + i])),
  ...Object.fromEntries([0, 1, 2, 3, 4, 5].map((i) => [`redis-node-${i}`, 7101 + i])),
};

export function mapHosts(value: string, hostNames: readonly string[]): string {
  let out = value;
  for (const [name, port] of Object.entries(LOCAL_PORTS)) {
    out = out.replace(
      new RegExp(`(^|[/@,=\\s])${name}(:\\d+)?(?=$|[/,\\s])`, 'g'),
      (_m, lead: string) => `${lead}127.0.0.1:${port}`,
    );
  }
  for (const name of [...hostNames].sort((a, b) => b.length - a.length)) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
    out = out.replace(
      new RegExp(`(^|[/@,=\\s])${escaped}(?=$|[/,\\s]|:(?!//))`, 'g'),
      (_m, lead: string) => `${lead}127.0.0.1`,
    );
  }
  return out;
}

/** Services of the profile, in dependency-free order (backing services are not here). */
export async function discover(root: string, profile = 'default'): Promise<DiscoveredService[]> {
  const compose = readCompose(root);
  const composeServices = compose?.services ?? {};
  const hostNames = Object.keys(composeServices);
  const dirs = readdirSync(join(root, 'services'), { withFileTypes: true }).filter((d) => d.isDirectory());
  const found: DiscoveredService[] = [];
  for (const d of dirs) {
    const dir = join(root, 'services', d.name);
    const manifestJs = join(dir, 'dist', 'src', 'manifest.js');
    if (!existsSync(manifestJs)) continue;
    const { manifest } = (await import(pathToFileURL(manifestJs).href)) as { manifest: ServiceManifest };
    // In a profile, compose may define a variant (e.g. redis-cache-sharded); prefer it.
    const variant = Object.entries(composeServices).find(
      ([n, s]) => n.startsWith(`${manifest.name}`) && s.profiles?.includes(profile),
    );
    const base = composeServices[manifest.name];
    const chosen = profile !== 'default' && variant ? variant[1] : base;
    if (base?.profiles && !base.profiles.includes(profile) && !(profile !== 'default' && variant)) continue;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(composeEnv(chosen))) env[k] = mapHosts(v, hostNames);
    found.push({ name: manifest.name, dir, cli: join(dir, 'dist', 'src', 'cli.js'), manifest, env });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** The port numbers a service will use with the given environment. */
export function portsOf(svc: DiscoveredService): { name: string; protocol: string; port: number }[] {
  return svc.manifest.ports.map((p) => ({
    name: p.name,
    protocol: p.protocol,
    port: optionPort(svc, p.option),
  }));
}

export function healthPortOf(svc: DiscoveredService): number {
  return optionPort(svc, svc.manifest.healthPortOption ?? 'healthPort');
}

function optionPort(svc: DiscoveredService, option: string): number {
  const spec = svc.manifest.options[option];
  if (spec?.type !== 'port') throw new Error(`${svc.name}: ${option} is not a port option`);
  const fromEnv = spec.env ? svc.env[spec.env] : undefined;
  return Number(fromEnv ?? spec.default);
}
