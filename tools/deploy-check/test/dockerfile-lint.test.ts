import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lintDockerfile } from '../src/checks/dockerfile.ts';
import { healthOption, type LoadedService, loadServices, portEnv, REPO_ROOT } from '../src/manifests.ts';

let services: LoadedService[];
beforeAll(async () => {
  ({ services } = await loadServices());
});

describe('Dockerfile lint', () => {
  it('passes every service Dockerfile: multi-stage Node 24 slim, prod deps only, non-root, HEALTHCHECK', () => {
    expect(services.length).toBeGreaterThan(0);
    for (const s of services) {
      const text = readFileSync(path.join(REPO_ROOT, 'services', s.folder, 'Dockerfile'), 'utf8');
      const healthPort = portEnv(s.manifest, healthOption(s.manifest)).port;
      expect(lintDockerfile(text, { healthPort }), s.folder).toEqual([]);
    }
  });

  it('rejects a single-stage image that runs as root, without HEALTHCHECK, with dev dependencies', () => {
    const bad = `FROM node:20
WORKDIR /app
COPY . .
RUN pnpm install
CMD node dist/src/cli.js serve
`;
    expect(lintDockerfile(bad)).toEqual([
      'not multi-stage: build and runtime must be separate stages',
      'line 1: base image node:20 is not Node 24 slim',
      'runtime stage has no USER: it would run as root',
      'no HEALTHCHECK in the runtime stage',
      'CMD in shell form: /bin/sh would be PID 1 and SIGTERM would not reach node',
      'no `pnpm deploy`: the runtime would not get a pruned node_modules',
      'line 3: the runtime stage copies from the build context, not from the build stage',
      'line 4: the runtime stage installs packages (pnpm install)',
    ]);
  });

  it('rejects copying the workspace node_modules into the runtime and a deploy without --prod', () => {
    const bad = `FROM node:24-slim AS build
RUN pnpm --filter x deploy /out
FROM node:24-slim
COPY --from=build /repo/node_modules /app/node_modules
USER root
HEALTHCHECK CMD ["node", "-e", "fetch('http://127.0.0.1:9102/healthz')"]
ENTRYPOINT ["node", "dist/src/cli.js"]
`;
    expect(lintDockerfile(bad)).toEqual([
      'runtime stage runs as root',
      'line 2: pnpm deploy without --prod copies devDependencies',
      'line 4: copies the workspace or its node_modules (devDependencies) into the runtime',
    ]);
  });
});
