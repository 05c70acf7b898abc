/**
 * The READMEs write `tcp-farewell client 127.0.0.1`, not `node dist/src/cli.js client …`:
 * after scripts/setup.sh every service's command is on PATH (a link to the workspace's own
 * bin in node_modules/.bin) and runs as written from the repository root.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '@fopnp/net/testing';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/manifests.ts';

interface PackageJson {
  name: string;
  version: string;
  bin?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

const serviceFolders = readdirSync(path.join(REPO_ROOT, 'services')).filter((d) =>
  existsSync(path.join(REPO_ROOT, 'services', d, 'package.json')),
);
const commands = serviceFolders.flatMap((folder) => {
  const pkg = readJson(path.join(REPO_ROOT, 'services', folder, 'package.json'));
  return Object.keys(pkg.bin ?? {}).map((name) => ({ name, pkg }));
});

/** Lines of the READMEs that start with a command: `$ tcp-farewell client …`, with or without `$`. */
function readmeCommandNames(): Set<string> {
  const readmes = ['README.md', ...serviceFolders.map((f) => path.join('services', f, 'README.md'))];
  const names = new Set<string>();
  for (const readme of readmes) {
    const file = path.join(REPO_ROOT, readme);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^\s*(?:\$ )?([a-z][a-z0-9-]*) /.exec(line);
      if (m && serviceFolders.includes(m[1]!)) names.add(m[1]!);
    }
  }
  return names;
}

describe("the services' commands", () => {
  it('are what the READMEs write: every command named after a service is that service bin', () => {
    const written = readmeCommandNames();
    expect(written.size).toBeGreaterThan(3);
    const bins = new Set(commands.map((c) => c.name));
    expect([...written].filter((n) => !bins.has(n))).toEqual([]);
  });

  it('are bins of the workspace itself (node_modules/.bin), never looked up on the registry', () => {
    const root = readJson(path.join(REPO_ROOT, 'package.json'));
    for (const { name, pkg } of commands) {
      expect(root.devDependencies?.[pkg.name], `${pkg.name} in the root devDependencies`).toBe('workspace:*');
      expect(existsSync(path.join(REPO_ROOT, 'node_modules', '.bin', name)), name).toBe(true);
    }
  });

  it('run from PATH as written, from the repository root, on Node 24, and say their version', async () => {
    for (const { name, pkg } of commands) {
      const r = await run(name, ['--version'], { cwd: REPO_ROOT }).catch((err: NodeJS.ErrnoException) => {
        throw new Error(`${name} is not on PATH (${err.code}): run scripts/setup.sh`);
      });
      expect(r.code, name).toBe(0);
      const m = /^(\S+) (\S+) \(Node v(\d+)\.\d+\.\d+\)\n$/.exec(r.stdout);
      expect(m?.slice(1, 3), r.stdout).toEqual([name, pkg.version]);
      expect(Number(m?.[3])).toBeGreaterThanOrEqual(24);
    }
  });
});
