/**
 * Reading a service's Prometheus text (its health port's `/metrics`): one reader for the
 * smoke checks (production code) and the tests (`@fopnp/net/testing` re-exports it).
 */
import { HEALTH_PATHS } from './health.js';

export interface MetricsScrape {
  text: string;
  /** The sample of the first line starting with `prefix` (0 when absent), e.g. `value('x_total{kind="a"')`. */
  value(prefix: string): number;
  /** The sum of a metric's samples over all its labels (0 when absent). */
  sum(name: string): number;
}

/**
 * One scrape of a Prometheus text endpoint: a `/metrics` URL, or a health base URL
 * (`http://host:healthPort`). Fails on a non-2xx answer or after `timeoutMs`.
 */
export async function scrapeMetrics(url: string, timeoutMs = 5_000): Promise<MetricsScrape> {
  const target = url.endsWith(HEALTH_PATHS.metrics)
    ? url
    : `${url.replace(/\/$/, '')}${HEALTH_PATHS.metrics}`;
  const res = await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${target} answered ${res.status}`);
  const text = await res.text();
  const lines = text.split('\n');
  const sample = (line: string) => Number(line.slice(line.lastIndexOf(' ') + 1));
  return {
    text,
    value(prefix) {
      const line = lines.find((l) => l.startsWith(prefix));
      return line ? sample(line) : 0;
    },
    sum(name) {
      let total = 0;
      for (const line of lines)
        if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += sample(line);
      return total;
    },
  };
}
