/**
 * Every declared service's side port: /readyz for its state, /metrics for its own
 * counters. A counter's rate is taken over the last RATE_WINDOW_MS of this lab's own
 * scrapes, and the page labels it with that window.
 */
import { HEALTH_PATHS, type ServiceManifest } from '@fopnp/net';
import { endpointsOf, healthPortOf } from '../declared.js';
import type { LinkView, MetricView, ServiceView, TallyView } from '../snapshot.js';
import { getText } from './http.js';
import { type Family, parsePrometheus } from './prometheus.js';

const RATE_WINDOW_MS = 10_000;
/** Node's default process metrics are the same for every service; the page shows the service's own. */
const GENERIC = /^(process_|nodejs_)/;
const SHOWN = 6;

export interface ServiceLinksConfig {
  /** Host of the health ports; `{name}` is replaced by the service name (compose DNS). */
  servicesHost: string;
}

export class ServicesSource {
  private readonly history = new Map<string, [number, Map<string, number>][]>();

  constructor(
    private readonly manifests: readonly ServiceManifest[],
    private readonly cfg: ServiceLinksConfig,
    private readonly timeoutMs = 1_000,
  ) {}

  healthBase(m: ServiceManifest): string {
    return `http://${this.cfg.servicesHost.replaceAll('{name}', m.name)}:${healthPortOf(m)}`;
  }

  /** Declared ports; the page links them on the host it was loaded from (published ports). */
  links(m: ServiceManifest): LinkView[] {
    const out: LinkView[] = endpointsOf(m)
      .filter((e) => e.http)
      .map((e) => ({ label: `${e.label} :${e.port}`, port: e.port, path: '/' }));
    const hp = healthPortOf(m);
    for (const path of [HEALTH_PATHS.readiness, HEALTH_PATHS.liveness, HEALTH_PATHS.metrics])
      out.push({ label: `${path} :${hp}`, port: hp, path });
    return out;
  }

  async poll(): Promise<ServiceView[]> {
    return Promise.all(this.manifests.map((m) => this.one(m)));
  }

  private async one(m: ServiceManifest): Promise<ServiceView> {
    const base = this.healthBase(m);
    const view: ServiceView = {
      name: m.name,
      chapter: m.chapter,
      description: m.description,
      needs: [...m.needs],
      health: 'down',
      ready: false,
      links: this.links(m),
      metrics: [],
    };
    try {
      const [ready, metrics] = await Promise.all([
        getText(`${base}${HEALTH_PATHS.readiness}`, this.timeoutMs),
        getText(`${base}${HEALTH_PATHS.metrics}`, this.timeoutMs),
      ]);
      view.health = 'up';
      view.ready = ready.status === 200;
      if (metrics.status === 200) view.metrics = this.metricViews(m.name, parsePrometheus(metrics.text));
    } catch {
      this.history.delete(m.name); // down: rates start again from the next scrape
    }
    return view;
  }

  private metricViews(service: string, families: Family[]): MetricView[] {
    const own = families.filter((f) => !GENERIC.test(f.name) && (f.type === 'counter' || f.type === 'gauge'));
    const now = Date.now();
    const h = this.history.get(service) ?? [];
    h.push([now, new Map(own.map((f) => [f.name, f.value]))]);
    while (h.length > 2 && h[0]![0] < now - RATE_WINDOW_MS) h.shift();
    this.history.set(service, h);
    const [t0, first] = h[0]!;
    const windowS = (now - t0) / 1000;
    return own.slice(0, SHOWN).map((f) => {
      const before = first.get(f.name);
      const rate =
        f.type === 'counter' && windowS > 0 && before !== undefined ? (f.value - before) / windowS : null;
      return { name: f.name, value: f.value, ratePerSec: rate, windowS: Math.round(windowS * 10) / 10 };
    });
  }
}

/** rabbit-pipeline tally's /estimate. */
export async function pollTally(url: string, timeoutMs = 1_000): Promise<TallyView> {
  try {
    const r = await getText(`${url.replace(/\/$/, '')}/estimate`, timeoutMs);
    if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
    const s = JSON.parse(r.text) as Omit<TallyView, 'health'>;
    return {
      health: 'up',
      estimate: s.estimate,
      count: s.count,
      inside: s.inside,
      ratePerSecond: s.ratePerSecond,
      malformed: s.malformed,
    };
  } catch {
    return { health: 'down', estimate: null, count: 0, inside: 0, ratePerSecond: 0, malformed: 0 };
  }
}
