import { defineConfig } from 'vitest/config';

// vitest 5 targets Node 22 and its reporter calls Map.groupBy / Object.groupBy (Node 21+)
// when it prints failures; on our Node 20 that crash hides the failure details. This
// config runs in vitest's main process, so the polyfill here reaches the reporter.
function groupBy<K, T>(items: Iterable<T>, key: (item: T, index: number) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  let i = 0;
  for (const item of items) {
    const k = key(item, i++);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
const maps = Map as unknown as { groupBy?: typeof groupBy };
maps.groupBy ??= groupBy;
const objects = Object as unknown as { groupBy?: unknown };
objects.groupBy ??= <T>(items: Iterable<T>, key: (item: T, index: number) => PropertyKey) =>
  Object.assign(Object.create(null), Object.fromEntries(groupBy(items, key)));

// Workspace packages export a "source" condition pointing at their TypeScript, so tests
// run against the libraries' current source without a build step in between.
const conditions = ['source', 'import', 'module', 'node', 'default'];

export const sharedConfig = defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real sockets and real brokers: one file at a time per package keeps port and CPU
    // contention out of the results on a 2-core machine.
    fileParallelism: false,
    // The JSON file feeds scripts/test-summary.mjs, which prints the closing line of the
    // whole run across packages.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});
