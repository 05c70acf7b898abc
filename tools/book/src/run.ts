/** Running our counterpart of a book program as a child process, its output the user's. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findWorkspaceRoot } from '@fopnp/net';
import { counterpartArgs, findRow } from './catalog.js';

/** The workspace this program was built in. */
export function workspaceRoot(): string {
  return findWorkspaceRoot(path.dirname(fileURLToPath(import.meta.url)));
}

/** The built CLI of a package under services/ or tools/ (its package.json "bin"). */
export function cliOf(service: string, root = workspaceRoot()): string {
  const dir = ['services', 'tools']
    .map((d) => path.join(root, d, service))
    .find((d) => {
      try {
        readFileSync(path.join(d, 'package.json'));
        return true;
      } catch {
        return false;
      }
    });
  if (!dir) throw new Error(`no package ${service} under services/ or tools/ of ${root}`);
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin ?? {})[0];
  if (!bin) throw new Error(`${service}'s package.json has no "bin"`);
  return path.join(dir, bin);
}

/** What `fopnp-book run FILE ARGS…` starts: node, our CLI, and its arguments. */
export function counterpartCommand(
  key: string,
  bookArgs: readonly string[],
): { service: string; cli: string; argv: string[] } {
  const { service, argv } = counterpartArgs(findRow(key), bookArgs);
  return { service, cli: cliOf(service), argv };
}

/**
 * Runs our counterpart with this terminal, passing SIGINT/SIGTERM on (servers run until
 * stopped, as the book's do). Resolves with its exit code.
 */
export function runCounterpart(key: string, bookArgs: readonly string[]): Promise<number> {
  const { service, cli, argv } = counterpartCommand(key, bookArgs);
  process.stderr.write(`fopnp-book: ${service} ${argv.join(' ')}\n`);
  const child = spawn(process.execPath, [cli, ...argv], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1));
    });
  });
}
