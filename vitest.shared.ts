import { defineConfig } from 'vitest/config';

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
