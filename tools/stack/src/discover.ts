/**
 * Finds the services and what they declare: every services/<name> package exporting
 * `./manifest` (its manifest, and its `./smoke` checks), and the environment
 * docker-compose.yml gives each instance. Locally, compose host names are mapped to this
 * machine and the manifest's `localEnv` applies; against compose, the published ports are
 * what a check reaches. Nothing here names a service.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BackingGroup,
  type BackingService,
  type DeploymentVariant,
  type ExportCondition,
  findServicePackages,
  InvalidConfigError,
  importManifest,
  type ServiceManifest,
} from '@fopnp/net';
import { parse } from 'yaml';
import { LOCAL_PORTS } from './backing-groups.js';
import { stateDir } from './run-record.js';

export interface DiscoveredService {
  /** Instance name: the manifest's name for a local process, the compose service name against compose. */
  name: string;
  /** The manifest's name. */
  service: string;
  /** "default", or the profile of the variant this instance runs. */
  profile: string;
  dir: string;
  cli: string;
  manifest: ServiceManifest;
  /** The package's `./smoke` module, when it has one. */
  smokeFile?: string;
  /** Environment of the instance (locally: compose's, host names mapped to 127.0.0.1, plus local values). */
  env: Record<string, string>;
  /** Backing groups the instance waits for (its variant's). */
  backing: BackingGroup[];
  /** Backing services it needs here (the manifest's, less the optional ones not asked for). */
  needs: BackingService[];
  /** Locally: variables the user's environment set in place of the stack's values. */
  overrides?: string[];
  /** Locally: the folder the process runs in (relative paths it writes land there). */
  cwd?: string;
  /** Against compose: container port → published host port; ports not in it are unreachable. */
  published?: Record<number, number>;
}

interface ComposeService {
  image?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  profiles?: string[];
  ports?: (string | { target: number; published?: number | string })[];
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
 * URLs and host:port values, so `redis://redis:6379` becomes `redis://127.0.0.1:6379`;
 * servers of a backing group, several on one host here, get their own ports.
 */
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

/** Local processes share one host, so every service binds loopback instead of 0.0.0.0. */
const LOCAL_ENV = { HOST: '127.0.0.1', HEALTH_HOST: '127.0.0.1' };

/** Where the local stack keeps a state volume's file: `.stack/state/<volume>/<file>` in the checkout. */
export function localStateFile(root: string, state: { volume: string; file: string }): string {
  return join(stateDir(root), state.volume, state.file);
}

/**
 * Backing services a local process uses only when the user asks for them, by the variable
 * that points the service at one: without DATABASE_URL the bank keeps its embedded SQLite
 * (in the service's folder under `.stack/state`), so a machine needs no PostgreSQL for the
 * stack; compose's value is dropped here.
 */
export const OPTIONAL_LOCALLY: Partial<Record<BackingService, string>> = { postgres: 'DATABASE_URL' };

/**
 * The variables of a service that belong to one instance on one host — its listening
 * addresses — and so never come from the user's environment (a PORT exported in the shell
 * would give every service the same port).
 */
function perInstanceEnv(m: ServiceManifest): Set<string> {
  const out = new Set(Object.keys(LOCAL_ENV));
  for (const spec of Object.values(m.options)) if (spec.type === 'port' && spec.env) out.add(spec.env);
  return out;
}

export interface LoadedPackage {
  dir: string;
  cli: string;
  manifest: ServiceManifest;
  smokeFile?: string;
}

/**
 * The manifests of the workspace at `root`. `condition` picks the files: `default` (the
 * compiled dist/, what the CLI runs) or `source` (the TypeScript, under vitest).
 */
export async function loadPackages(
  root: string,
  condition: ExportCondition = 'default',
): Promise<LoadedPackage[]> {
  const out: LoadedPackage[] = [];
  for (const pkg of findServicePackages(root, condition).packages) {
    const manifest = await importManifest(pkg);
    // Not built yet (dist/ missing): `up` says so when nothing is left.
    if (!manifest) continue;
    out.push({
      dir: pkg.dir,
      cli: join(pkg.dir, pkg.bin),
      manifest,
      ...(pkg.smokeFile ? { smokeFile: pkg.smokeFile } : {}),
    });
  }
  return out.sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** Every profile the manifests declare, "default" first. */
export function profilesOf(packages: LoadedPackage[]): string[] {
  return [
    ...new Set([
      'default',
      ...packages.flatMap((p) => (p.manifest.deploy?.variants ?? []).map((v) => v.profile)),
    ]),
  ];
}

/**
 * Profiles the local stack can run: all of them. Where a profile runs several instances of a
 * service (the pipeline's roles), each is its own process, its ports moved apart
 * (instancePortMove).
 */
export function localProfiles(packages: LoadedPackage[]): string[] {
  return profilesOf(packages);
}

/**
 * How far the k-th of several instances of a service moves its ports on one host: by the
 * variant's hostPortOffset (the one compose publishes beside the default instance), else
 * 100 a place, so each gets its own port and health port.
 */
export function instancePortMove(
  variant: { hostPortOffset?: number } | undefined,
  k: number,
  of: number,
): number {
  if (!variant || of <= 1) return 0;
  return variant.hostPortOffset ?? 100 * k;
}

/**
 * The local stack's plan for a profile: one process a service, running its variant of the
 * profile when it declares one, with compose's environment for that instance mapped to
 * this machine and the manifest's `localEnv` on top.
 */
export async function discover(
  root: string,
  profile = 'default',
  condition: ExportCondition = 'default',
  userEnv: NodeJS.ProcessEnv = process.env,
): Promise<DiscoveredService[]> {
  const packages = await loadPackages(root, condition);
  const local = localProfiles(packages);
  if (!local.includes(profile))
    throw new InvalidConfigError(
      '--profile',
      `${profile} is not a profile the local stack runs (${local.join(', ')}): no manifest declares it`,
    );
  const composeServices = readCompose(root)?.services ?? {};
  const hostNames = Object.keys(composeServices);
  type Slot = { p: LoadedPackage; variant: DeploymentVariant | undefined; index: number; of: number };
  const plan = packages
    .flatMap((p): Slot[] => {
      const variants = (p.manifest.deploy?.variants ?? []).filter((v) => v.profile === profile);
      return variants.length
        ? variants.map((variant, index) => ({ p, variant, index, of: variants.length }))
        : [{ p, variant: undefined, index: 0, of: 1 }];
    })
    .map(({ p, variant, index, of }): DiscoveredService => {
      const m = p.manifest;
      // One instance: the service's name, as in every profile; several: each variant's own.
      const name = of > 1 && variant ? variant.name : m.name;
      const env: Record<string, string> = {};
      // Host names are mapped where a value can hold an address; a plain word that happens
      // to be a compose service's name (ROLE=judge) is left alone.
      for (const [k, v] of Object.entries(composeEnv(composeServices[variant?.name ?? m.name])))
        env[k] = /[:@/,]/.test(v) || /HOST/.test(k) ? mapHosts(v, hostNames) : v;
      Object.assign(env, LOCAL_ENV);
      // Compose gives each instance's state a named volume of its own; on one machine the mapped
      // path would be the same file for every profile (and under /var/lib, root's), so a profile's
      // instance refused the state another profile had left. One folder per volume, in the checkout.
      const state = variant ? variant.state : m.deploy?.state;
      if (state) env[state.env] = localStateFile(root, state);
      for (const [k, { value }] of Object.entries(m.localEnv ?? {})) env[k] = value;
      const move = instancePortMove(variant, index, of);
      if (move)
        for (const spec of Object.values(m.options))
          if (spec.type === 'port' && spec.env)
            env[spec.env] = String(Number(env[spec.env] ?? spec.default) + move);
      const needs = m.needs.filter((need) => {
        const byVar = OPTIONAL_LOCALLY[need];
        if (!byVar || userEnv[byVar]) return true;
        delete env[byVar];
        return false;
      });
      // The user's settings win over compose's and the stack's (SHARD_STRATEGY=ketama pnpm
      // stack up …), except the instance's own listening addresses.
      const own = perInstanceEnv(m);
      const overrides: string[] = [];
      for (const k of Object.keys(env)) {
        const mine = userEnv[k];
        if (mine !== undefined && !own.has(k) && mine !== env[k]) {
          env[k] = mine;
          overrides.push(k);
        }
      }
      return {
        name,
        service: m.name,
        profile: variant ? profile : 'default',
        dir: p.dir,
        cli: p.cli,
        manifest: m,
        ...(p.smokeFile ? { smokeFile: p.smokeFile } : {}),
        env,
        backing: variant?.backing ?? [],
        needs,
        overrides,
        cwd: join(stateDir(root), name),
      };
    });
  return shiftPorts(plan, portOffset(userEnv));
}

/**
 * STACK_PORT_OFFSET: every service port (each `port` option's variable) moved by this much,
 * and the loopback addresses other services are given rewritten to match, so a second stack
 * runs beside a first one or beside compose (the stack's tests use it). Backing servers keep
 * their ports; topology-lab still looks for the others on their declared ports.
 */
export function portOffset(env: NodeJS.ProcessEnv): number {
  const raw = env.STACK_PORT_OFFSET;
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 50_000)
    throw new InvalidConfigError('STACK_PORT_OFFSET', `${raw} is not a whole number from 0 to 50000`);
  return n;
}

function shiftPorts(plan: DiscoveredService[], offset: number): DiscoveredService[] {
  if (offset === 0) return plan;
  const moved = new Map<number, number>();
  for (const svc of plan)
    for (const spec of Object.values(svc.manifest.options)) {
      if (spec.type !== 'port' || !spec.env) continue;
      const port = Number(svc.env[spec.env] ?? spec.default);
      if (!Number.isInteger(port) || port <= 0) continue;
      moved.set(port, port + offset);
      svc.env[spec.env] = String(port + offset);
    }
  for (const svc of plan)
    for (const [k, v] of Object.entries(svc.env)) {
      if (
        svc.manifest.options &&
        Object.values(svc.manifest.options).some((o) => o.type === 'port' && o.env === k)
      )
        continue;
      svc.env[k] = v.replace(/127\.0\.0\.1:(\d+)/g, (m, port: string) => {
        const to = moved.get(Number(port));
        return to === undefined ? m : `127.0.0.1:${to}`;
      });
    }
  return plan;
}

function publishedPorts(svc: ComposeService): Record<number, number> {
  const out: Record<number, number> = {};
  for (const p of svc.ports ?? []) {
    if (typeof p === 'object') {
      if (p.published !== undefined) out[Number(p.target)] = Number(p.published);
      continue;
    }
    const parts = p.split('/')[0]!.split(':');
    if (parts.length >= 2) out[Number(parts.at(-1))] = Number(parts.at(-2));
  }
  return out;
}

/**
 * The instances docker-compose.yml runs in a profile (the default one, or a profile's
 * variants), as reached from the host through their published ports.
 */
export async function discoverCompose(
  root: string,
  profile = 'default',
  condition: ExportCondition = 'default',
): Promise<DiscoveredService[]> {
  const packages = await loadPackages(root, condition);
  const known = profilesOf(packages);
  if (!known.includes(profile))
    throw new InvalidConfigError(
      '--profile',
      `no manifest declares profile ${profile} (${known.join(', ')})`,
    );
  const byName = new Map(packages.map((p) => [p.manifest.name, p]));
  const out: DiscoveredService[] = [];
  for (const [name, svc] of Object.entries(readCompose(root)?.services ?? {})) {
    const p = byName.get(/^fopnp\/([a-z0-9-]+):/.exec(svc.image ?? '')?.[1] ?? '');
    if (!p) continue;
    const inProfile = profile === 'default' ? !svc.profiles?.length : svc.profiles?.includes(profile);
    if (!inProfile) continue;
    const variant = (p.manifest.deploy?.variants ?? []).find((v) => v.name === name);
    out.push({
      name,
      service: p.manifest.name,
      profile,
      dir: p.dir,
      cli: p.cli,
      manifest: p.manifest,
      ...(p.smokeFile ? { smokeFile: p.smokeFile } : {}),
      env: composeEnv(svc),
      backing: variant?.backing ?? [],
      needs: p.manifest.needs,
      published: publishedPorts(svc),
    });
  }
  return out;
}

function optionPort(svc: DiscoveredService, option: string): number {
  const spec = svc.manifest.options[option];
  if (spec?.type !== 'port') throw new Error(`${svc.service}: ${option} is not a port option`);
  const fromEnv = spec.env ? svc.env[spec.env] : undefined;
  return Number(fromEnv ?? spec.default);
}

/**
 * The ports a service's clients reach: the configured ones for a local process, the
 * published ones against compose (unpublished ports are left out).
 */
export function portsOf(svc: DiscoveredService): { name: string; protocol: string; port: number }[] {
  return svc.manifest.ports.flatMap((p) => {
    const port = reachable(svc, optionPort(svc, p.option));
    return port === undefined ? [] : [{ name: p.name, protocol: p.protocol, port }];
  });
}

/** The reachable health port (undefined when compose does not publish it). */
export function healthPortOf(svc: DiscoveredService): number | undefined {
  return reachable(svc, optionPort(svc, svc.manifest.healthPortOption ?? 'healthPort'));
}

function reachable(svc: DiscoveredService, port: number): number | undefined {
  return svc.published ? svc.published[port] : port;
}
