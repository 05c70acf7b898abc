/**
 * The services of a workspace, found the way the tools find them: every services/<name>
 * package whose package.json exports `./manifest` (and, optionally, `./smoke`). Nothing
 * lists the services by name; a new folder with these exports is a new service.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceManifest } from './service.js';

/**
 * Which file of an export to load: `source` (the TypeScript, under vitest or a
 * TypeScript-aware loader) or `default` (the compiled dist/ file, under plain node).
 */
export type ExportCondition = 'source' | 'default';

export interface ServicePackage {
  /** Folder name under services/; the manifest's name must equal it. */
  folder: string;
  /** Absolute path of the package. */
  dir: string;
  /** package.json "name", e.g. "@fopnp/tcp-farewell". */
  packageName: string;
  /** Absolute path of the `./manifest` export for the condition. */
  manifestFile: string;
  /** Absolute path of the `./smoke` export for the condition, when the package has one. */
  smokeFile?: string;
  /** The CLI relative to the package, from "bin" (e.g. "dist/src/cli.js"). */
  bin: string;
}

interface PackageJson {
  name?: string;
  bin?: string | Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
}

/** Walks up from `from` to the folder holding pnpm-workspace.yaml. */
export function findWorkspaceRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = up;
  }
  return dir;
}

function exportFile(pkg: PackageJson, key: string, condition: ExportCondition): string | undefined {
  const entry = pkg.exports?.[key];
  if (typeof entry === 'string') return entry;
  return entry?.[condition] ?? entry?.default;
}

/** Folders under services/ that are packages (have a package.json), sorted. */
export function serviceFolders(root: string): string[] {
  const dir = path.join(root, 'services');
  if (!existsSync(dir)) return [];
  // statSync follows symbolic links: a linked service folder counts as one.
  return readdirSync(dir)
    .filter(
      (name) =>
        statSync(path.join(dir, name)).isDirectory() && existsSync(path.join(dir, name, 'package.json')),
    )
    .sort();
}

/**
 * Every service package of the workspace at `root`, and the folders that are packages
 * without a `./manifest` export (reported, never skipped silently).
 */
export function findServicePackages(
  root: string,
  condition: ExportCondition,
): { packages: ServicePackage[]; withoutManifest: string[] } {
  const packages: ServicePackage[] = [];
  const withoutManifest: string[] = [];
  for (const folder of serviceFolders(root)) {
    const dir = path.join(root, 'services', folder);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
    const manifest = exportFile(pkg, './manifest', condition);
    if (!manifest) {
      withoutManifest.push(folder);
      continue;
    }
    const smoke = exportFile(pkg, './smoke', condition);
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.[folder];
    packages.push({
      folder,
      dir,
      packageName: pkg.name ?? folder,
      manifestFile: path.join(dir, manifest),
      ...(smoke ? { smokeFile: path.join(dir, smoke) } : {}),
      bin: (bin ?? 'dist/src/cli.js').replace(/^\.\//, ''),
    });
  }
  return { packages, withoutManifest };
}

/** Imports a package's manifest; undefined when the file is absent or exports no `manifest`. */
export async function importManifest(pkg: ServicePackage): Promise<ServiceManifest | undefined> {
  if (!existsSync(pkg.manifestFile)) return undefined;
  const mod = (await import(pathToFileURL(pkg.manifestFile).href)) as { manifest?: ServiceManifest };
  return mod.manifest;
}
