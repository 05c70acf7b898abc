/**
 * Finds every service folder and loads its declaration (src/manifest.ts). The deployment
 * files are generated from, and checked against, exactly what this returns.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { envDefaults, type ServiceManifest } from '@fopnp/net';

/** The repository root (tools/deploy-check/src or dist/src → ../../..). */
export const REPO_ROOT = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = up;
  }
  return dir;
}

export interface LoadedService {
  /** Folder name under services/, which must equal manifest.name. */
  folder: string;
  manifest: ServiceManifest;
  /** Path of the compiled CLI inside the image, from package.json "bin". */
  bin: string;
}

/** Folders under services/ that look like packages (have a package.json). */
export function serviceFolders(root = REPO_ROOT): string[] {
  const dir = path.join(root, 'services');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'package.json')))
    .map((d) => d.name)
    .sort();
}

/**
 * Loads every service's manifest. `from: 'source'` imports src/manifest.ts (vitest),
 * `from: 'dist'` imports the compiled dist/src/manifest.js (the generator under plain node).
 * A folder without a manifest is reported in `missing`, never skipped silently.
 */
export async function loadServices(
  opts: { root?: string; from?: 'source' | 'dist' } = {},
): Promise<{ services: LoadedService[]; missing: string[] }> {
  const root = opts.root ?? REPO_ROOT;
  const from = opts.from ?? 'source';
  const services: LoadedService[] = [];
  const missing: string[] = [];
  for (const folder of serviceFolders(root)) {
    const file =
      from === 'source'
        ? path.join(root, 'services', folder, 'src', 'manifest.ts')
        : path.join(root, 'services', folder, 'dist', 'src', 'manifest.js');
    if (!existsSync(file)) {
      missing.push(folder);
      continue;
    }
    const mod = (await import(pathToFileURL(file).href)) as { manifest?: ServiceManifest };
    if (!mod.manifest) {
      missing.push(folder);
      continue;
    }
    services.push({ folder, manifest: mod.manifest, bin: await binOf(root, folder) });
  }
  return { services, missing };
}

async function binOf(root: string, folder: string): Promise<string> {
  const pkgPath = path.join(root, 'services', folder, 'package.json');
  const pkg = (await import(pathToFileURL(pkgPath).href, { with: { type: 'json' } })).default as {
    bin?: string | Record<string, string>;
  };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.[folder];
  return (bin ?? 'dist/src/cli.js').replace(/^\.\//, '');
}

/** Environment variable → default value (as a string) for every option that has both. */
export function declaredEnv(manifest: ServiceManifest): Map<string, string | undefined> {
  return new Map(Object.entries(envDefaults(manifest.options)));
}

/** The env var and default of the option behind a declared port (or the health port). */
export function portEnv(manifest: ServiceManifest, option: string): { env: string; port: number } {
  const spec = manifest.options[option];
  if (spec?.type !== 'port') throw new Error(`${manifest.name}: ${option} is not a port option`);
  if (!spec.env) throw new Error(`${manifest.name}: port option ${option} has no env var`);
  if (spec.default === undefined || spec.default === 0)
    throw new Error(`${manifest.name}: port option ${option} needs a fixed default to be deployed`);
  return { env: spec.env, port: spec.default };
}

export function healthOption(manifest: ServiceManifest): string {
  return manifest.healthPortOption ?? 'healthPort';
}
