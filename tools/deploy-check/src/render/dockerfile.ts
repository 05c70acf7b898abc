/** Each service's Dockerfile: deploy/Dockerfile.template filled from its manifest. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HEALTH_PATHS } from '@fopnp/net';
import { healthOption, type LoadedService, portEnv, REPO_ROOT } from '../manifests.js';

export const TEMPLATE_PATH = path.join(REPO_ROOT, 'deploy', 'Dockerfile.template');

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Workspace folders (libs/*, services/*, tools/*) by package name. */
function workspacePackages(): Map<string, string> {
  const out = new Map<string, string>();
  for (const group of ['libs', 'services', 'tools']) {
    const base = path.join(REPO_ROOT, group);
    if (!existsSync(base)) continue;
    for (const d of readdirSync(base, { withFileTypes: true })) {
      const dir = `${group}/${d.name}`;
      if (d.isDirectory() && existsSync(path.join(REPO_ROOT, dir, 'package.json')))
        out.set(readPackage(dir).name, dir);
    }
  }
  return out;
}

export function renderDockerfile(svc: LoadedService, template = readFileSync(TEMPLATE_PATH, 'utf8')): string {
  const m = svc.manifest;
  const health = portEnv(m, healthOption(m));
  const expose = [
    ...m.ports.map((p) => `${portEnv(m, p.option).port}/${p.protocol}`),
    `${health.port}/tcp`,
  ].join(' ');
  const values: Record<string, string> = {
    name: m.name,
    chapter: m.chapter,
    expose,
    healthPort: String(health.port),
    healthEnv: health.env,
    livenessPath: HEALTH_PATHS.liveness,
    bin: svc.bin,
    command: JSON.stringify(m.command),
    copyManifests: [...workspacePackages().values()]
      .filter((d) => d.startsWith('libs/') || d.startsWith('services/'))
      .sort()
      .map((d) => `COPY ${d}/package.json ${d}/`)
      .join('\n'),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`Dockerfile.template: unknown placeholder {{${key}}}`);
    return v;
  });
}
