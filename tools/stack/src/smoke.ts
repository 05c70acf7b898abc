/**
 * The smoke tour: every instance once, as a user would touch it — its health endpoints,
 * then the checks its service exports from `./smoke` — against the running local stack or
 * compose's published ports. The one tour of the project (deploy/compose-e2e.sh runs it too).
 */
import { pathToFileURL } from 'node:url';
import { healthCheck, type SmokeCheck, type SmokeModule, type SmokeTarget } from '@fopnp/net';
import { type DiscoveredService, healthPortOf, portsOf } from './discover.js';

export interface SmokeResult {
  service: string;
  check: string;
  /** `skip`: nothing of the instance is reachable from here (compose publishes no port of it). */
  outcome: 'pass' | 'fail' | 'skip';
  detail: string;
  ms: number;
}

/** The checks a service exports (none when it has no `./smoke`). */
export async function loadChecks(svc: DiscoveredService): Promise<SmokeCheck[]> {
  if (!svc.smokeFile) return [];
  const mod = (await import(pathToFileURL(svc.smokeFile).href)) as Partial<SmokeModule>;
  if (!Array.isArray(mod.smoke)) throw new Error(`${svc.smokeFile} exports no \`smoke\` array of checks`);
  return mod.smoke;
}

export function targetOf(svc: DiscoveredService, tour: ReadonlySet<string>, host = '127.0.0.1'): SmokeTarget {
  const ports = Object.fromEntries(portsOf(svc).map((p) => [p.name, p.port]));
  const healthPort = healthPortOf(svc);
  return {
    instance: svc.name,
    service: svc.service,
    profile: svc.profile,
    where: svc.published ? 'compose' : 'local',
    host,
    ports,
    port(name) {
      const port = ports[name];
      if (port === undefined) throw new Error(`${svc.name}: port ${name} is not reachable from here`);
      return port;
    },
    ...(healthPort !== undefined ? { healthPort } : {}),
    env: svc.env,
    tour,
  };
}

/** Runs the tour: for each instance its health, then its service's own checks. */
export async function runSmoke(
  services: DiscoveredService[],
  onResult: (r: SmokeResult) => void = () => {},
  opts: { deadlineMs?: number } = {},
): Promise<SmokeResult[]> {
  const tour = new Set(services.map((s) => s.service));
  const results: SmokeResult[] = [];
  const report = (r: SmokeResult) => {
    results.push(r);
    onResult(r);
  };
  for (const svc of services) {
    const target = targetOf(svc, tour);
    let checks: SmokeCheck[];
    try {
      checks = [healthCheck, ...(await loadChecks(svc))].filter((c) => c.appliesTo?.(target) ?? true);
    } catch (err) {
      report({ service: svc.name, check: 'load checks', outcome: 'fail', detail: String(err), ms: 0 });
      continue;
    }
    if (checks.length === 0) {
      report({
        service: svc.name,
        check: '-',
        outcome: 'skip',
        detail: 'no port of it is reachable from here (its container health check covers it)',
        ms: 0,
      });
      continue;
    }
    for (const check of checks) {
      const t0 = Date.now();
      try {
        const detail = await withDeadline(
          check.run(target),
          opts.deadlineMs ?? 75_000,
          `${svc.name} ${check.name}`,
        );
        report({ service: svc.name, check: check.name, outcome: 'pass', detail, ms: Date.now() - t0 });
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        report({ service: svc.name, check: check.name, outcome: 'fail', detail, ms: Date.now() - t0 });
      }
    }
  }
  return results;
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}
