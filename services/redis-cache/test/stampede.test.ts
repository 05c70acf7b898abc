import { fileURLToPath } from 'node:url';
import { startProcess, stopAll } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/cache.js';
import { SingleTopology } from '../src/topology/single.js';
import { SHARED_REDIS_URL, testNamespace } from './helpers/namespace.js';

const worker = fileURLToPath(new URL('./peers/stampede-worker.mjs', import.meta.url));
const namespace = testNamespace('stampede');

afterAll(async () => {
  await stopAll();
  const cleaner = new Cache({ topology: new SingleTopology(SHARED_REDIS_URL), namespace });
  await cleaner.clear();
  await cleaner.close();
});

interface WorkerReport {
  loaderCalls: number;
  sources: Record<string, number>;
  values: string[];
}

async function stampede(processes: number, key: string): Promise<WorkerReport[]> {
  const procs = Array.from({ length: processes }, () =>
    startProcess(process.execPath, [worker, SHARED_REDIS_URL, namespace, key, '250', '300']),
  );
  await Promise.all(procs.map((p) => p.waitForOutput(/^ready$/m, 15_000)));
  for (const p of procs) p.child.stdin!.write('go\n');
  const reports = await Promise.all(procs.map((p) => p.waitForOutput(/^(\{.*\})$/m, 20_000)));
  await Promise.all(procs.map((p) => p.stop()));
  return reports.map((m) => JSON.parse(m[1]!) as WorkerReport);
}

describe('stampede protection across processes', () => {
  it('lets two processes with 250 concurrent misses each call the loader at most twice in total', async () => {
    const reports = await stampede(2, 'hot-across-processes');
    const total = reports.reduce((a, r) => a + r.loaderCalls, 0);
    expect(total).toBeGreaterThanOrEqual(1);
    expect(total).toBeLessThanOrEqual(2);
    for (const r of reports) {
      expect(r.loaderCalls).toBeLessThanOrEqual(1);
      expect(Object.values(r.sources).reduce((a, b) => a + b, 0)).toBe(250);
    }
    // The lock makes it once in practice: the loser waits for the winner's value.
    expect(reports.some((r) => (r.sources['other-process'] ?? 0) > 0 || (r.sources.cache ?? 0) > 0)).toBe(
      true,
    );
  });

  it('lets four processes share one loader call through the Redis lock', async () => {
    const reports = await stampede(4, 'hot-four-processes');
    const total = reports.reduce((a, r) => a + r.loaderCalls, 0);
    expect(total).toBe(1);
    expect(new Set(reports.flatMap((r) => r.values)).size).toBe(1);
  });
});
