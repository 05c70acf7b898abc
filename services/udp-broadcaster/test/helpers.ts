import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BackgroundProcess, run, runNode, startProcess } from '@fopnp/net/testing';

export type { BackgroundProcess };

/** The built CLI: tests run the real program, as a user would (turbo builds before testing). */
export const CLI = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
if (!existsSync(CLI))
  throw new Error(`${CLI} is missing: run "npx turbo run build --filter=@fopnp/udp-broadcaster"`);

const peer = (name: string) => fileURLToPath(new URL(`./peers/${name}`, import.meta.url));

export const startCli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  startProcess(process.execPath, [CLI, ...args], { env: { LOG_LEVEL: 'warn', ...env } });

export const runCli = (args: string[], timeoutMs = 20_000) => runNode(CLI, args, { timeoutMs });

/** Python stdlib peers, unbuffered so each printed line reaches the test at once. */
export const startPython = (name: string, args: string[]) =>
  startProcess('python3', ['-u', peer(name), ...args]);

export const runPython = (name: string, args: string[], timeoutMs = 20_000) =>
  run('python3', ['-u', peer(name), ...args], { timeoutMs });

/** Sends one datagram from `source` and returns what the Python peer printed. */
export async function sendFrom(source: string, port: number, payload: Buffer): Promise<string> {
  const result = await runPython('send_datagram.py', [
    source,
    '127.0.0.1',
    String(port),
    payload.toString('hex'),
  ]);
  return result.stdout;
}
