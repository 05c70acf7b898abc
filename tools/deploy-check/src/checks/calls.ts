/**
 * The calls a manifest declares against what the service will really dial: the option
 * named by each call must hold an address of that service on that port in a deployment
 * (its `deploy.env` value, else its default), so a
 * declaration cannot drift from the code's defaults (compose's depends_on and the k8s
 * NetworkPolicy are written from the declaration, not guessed from env values).
 */
import type { ServiceManifest } from '@fopnp/net';
import { upstreamsOf } from '../instances.js';

export function checkCalls(services: ServiceManifest[]): string[] {
  const problems: string[] = [];
  for (const m of services) {
    let upstreams: ReturnType<typeof upstreamsOf>;
    try {
      upstreams = upstreamsOf(m, services);
    } catch (err) {
      problems.push((err as Error).message);
      continue;
    }
    for (const call of m.calls ?? []) {
      const up = upstreams.find((u) => u.service === call.service);
      if (!up) {
        problems.push(`${m.name} calls ${call.service}, which no manifest declares`);
        continue;
      }
      // What the deployment gives the option: its deployment value, else its default.
      const env = m.options[call.option]?.env;
      const value = (env && m.deploy?.env?.[env]?.value) ?? String(m.options[call.option]?.default ?? '');
      const named = new RegExp(`(^|//|@|,)${call.service}:${up.port}(/|,|$)`).test(value);
      if (!named)
        problems.push(
          `${m.name}: option ${call.option} is ${JSON.stringify(value)} when deployed, not an address of ${call.service}:${up.port} as its call declares`,
        );
    }
  }
  return problems;
}
