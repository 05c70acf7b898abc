/**
 * Finds every service package and loads its declaration (its `./manifest` export). The deployment
 * files are generated from, and checked against, exactly what this returns.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  envDefaults,
  findServicePackages,
  findWorkspaceRoot,
  importManifest,
  serviceFolders as listServiceFolders,
  type ServiceManifest,
} from '@fopnp/net';

/** The repository root (tools/deploy-check/src or dist/src → ../../..). */
export const REPO_ROOT = findWorkspaceRoot(path.dirname(fileURLToPath(import.meta.url)));

export interface LoadedService {
  /** Folder name under services/, which must equal manifest.name. */
  folder: string;
  manifest: ServiceManifest;
  /** Path of the compiled CLI inside the image, from package.json "bin". */
  bin: string;
}

/** Folders under services/ that look like packages (have a package.json). */
export function serviceFolders(root = REPO_ROOT): string[] {
  return listServiceFolders(root);
}

/**
 * Loads every service's manifest: each services/<name> package exporting `./manifest`.
 * `from: 'source'` imports its `source` condition (the TypeScript, under vitest),
 * `from: 'dist'` the compiled file (the generator under plain node). A package without
 * the export or whose file does not load is reported in `missing`, never skipped silently.
 */
export async function loadServices(
  opts: { root?: string; from?: 'source' | 'dist' } = {},
): Promise<{ services: LoadedService[]; missing: string[] }> {
  const root = opts.root ?? REPO_ROOT;
  const { packages, withoutManifest } = findServicePackages(
    root,
    (opts.from ?? 'source') === 'source' ? 'source' : 'default',
  );
  const services: LoadedService[] = [];
  const missing = [...withoutManifest];
  for (const pkg of packages) {
    const manifest = await importManifest(pkg);
    if (manifest) services.push({ folder: pkg.folder, manifest, bin: pkg.bin });
    else missing.push(pkg.folder);
  }
  return { services, missing: missing.sort() };
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
