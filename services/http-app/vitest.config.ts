import { defineConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.ts';

// The shared config lists the 'import' condition explicitly; Node (20 and 24) then resolves the
// require('pg-pool') inside pg (CommonJS) to pg-pool's ESM build and pg fails to load.
// Vite adds 'import' or 'require' by itself according to how a module is loaded, so
// this package leaves it (and 'module') out.
const conditions = ['source', 'node', 'default'];

export default defineConfig({
  ...sharedConfig,
  resolve: { ...sharedConfig.resolve, conditions },
  ssr: { ...sharedConfig.ssr, resolve: { ...sharedConfig.ssr?.resolve, conditions } },
});
