/**
 * The smoke tour: every service once, as a user would touch it, against the running local
 * stack (or any stack whose ports are on 127.0.0.1). Each check returns a one-line detail
 * or throws with the reason.
 */
import { HEALTH_PATHS } from '@fopnp/net';
import { type DiscoveredService, healthPortOf, portsOf } from './discover.js';

export type Check = (svc: DiscoveredService, all: Map<string, DiscoveredService>) => Promise<string>;

export interface SmokeResult {
  service: string;
  check: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export function portOf(svc: DiscoveredService, name: string): number {
  const p = portsOf(svc).find((x) => x.name === name) ?? portsOf(svc)[0];
  if (!p) throw new Error(`${svc.name} declares no port`);
  return p.port;
}

/** Readiness of any service: the check every service gets. */
export const readiness: Check = async (svc) => {
  const res = await fetch(`http://127.0.0.1:${healthPortOf(svc)}${HEALTH_PATHS.readiness}`, {
    signal: AbortSignal.timeout(3000),
  });
  const body = (await res.json()) as { status?: string };
  if (res.status !== 200) throw new Error(`readiness ${res.status} ${JSON.stringify(body)}`);
  return `ready (${body.status})`;
};

/** Runs the tour: readiness of every service, then each service's own check. */
export async function runSmoke(
  services: DiscoveredService[],
  checks: Record<string, { name: string; run: Check }[]>,
  onResult: (r: SmokeResult) => void = () => {},
): Promise<SmokeResult[]> {
  const all = new Map(services.map((s) => [s.name, s]));
  const results: SmokeResult[] = [];
  for (const svc of services) {
    for (const check of [{ name: 'readiness', run: readiness }, ...(checks[svc.name] ?? [])]) {
      const t0 = Date.now();
      let r: SmokeResult;
      try {
        const detail = await withDeadline(check.run(svc, all), 30_000, `${svc.name} ${check.name}`);
        r = { service: svc.name, check: check.name, ok: true, detail, ms: Date.now() - t0 };
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        r = { service: svc.name, check: check.name, ok: false, detail, ms: Date.now() - t0 };
      }
      results.push(r);
      onResult(r);
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
