#!/usr/bin/env node
/**
 * Writes the deployment files from the manifests: docker-compose.yml, each service's
 * Dockerfile and k8s/base/<service>.yaml. Run after a manifest changes:
 *   pnpm --filter @fopnp/deploy-check generate        (compiles the manifests first)
 * The committed files are what users read; the drift test checks them independently.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadServices, REPO_ROOT, serviceFolders } from './manifests.js';
import { renderCompose, renderE2eOverride } from './render/compose.js';
import { renderDockerfile } from './render/dockerfile.js';
import { renderK8sBase } from './render/k8s.js';

// Plain node cannot import the manifests' TypeScript: compile libs/net and every service
// first, without type checking, so one service being edited does not block the others.
const tsc = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
for (const dir of ['libs/net', ...serviceFolders().map((f) => `services/${f}`)])
  execFileSync(tsc, ['-p', path.join(REPO_ROOT, dir, 'tsconfig.build.json'), '--noCheck'], {
    stdio: 'inherit',
  });
const { services, missing } = await loadServices({ from: 'dist' });
if (missing.length)
  console.error(
    `no compiled manifest (services/<name>/dist/src/manifest.js) for: ${missing.join(', ')}; run \`npx turbo run build\` first; left out`,
  );
const write = (rel: string, text: string) => {
  writeFileSync(path.join(REPO_ROOT, rel), text);
  console.log(`wrote ${rel}`);
};
write('docker-compose.yml', renderCompose(services));
write('deploy/compose.e2e.yml', renderE2eOverride(services));
for (const svc of services) write(`services/${svc.folder}/Dockerfile`, renderDockerfile(svc));
for (const [rel, text] of renderK8sBase(services)) write(rel, text);
