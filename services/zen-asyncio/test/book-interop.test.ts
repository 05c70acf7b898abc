/**
 * The book's own chapter 7 programs (../shared/peers/fopnp-py3/chapter07, run with Debian's
 * /usr/bin/python3, never copied into the project) against ours: our client against each of
 * the book's servers, and the book's client.py against our server.
 *
 * Patched, in a temporary copy: srv_asyncio2.py uses `@asyncio.coroutine` / `yield from`,
 * removed in Python 3.11; the copy says `async def` / `await` instead (nothing else changes).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type BackgroundProcess,
  cliTestKit,
  freePort,
  run,
  startProcess,
  stopAll,
  waitForPort,
} from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APHORISMS, BOOK_APHORISM_COUNT } from '../src/index.js';
import { CHAPTER07 } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const { CLI: cli, startCli } = cliTestKit(import.meta.url);
const bookAnswers = new Map(APHORISMS.slice(0, BOOK_APHORISM_COUNT));

let patched: string;
beforeAll(() => {
  patched = mkdtempSync(path.join(os.tmpdir(), 'zen-book-'));
  cpSync(CHAPTER07, patched, { recursive: true });
  const file = path.join(patched, 'srv_asyncio2.py');
  const source = readFileSync(file, 'utf8');
  const fixed = source
    .replace('@asyncio.coroutine\ndef handle_conversation', 'async def handle_conversation')
    .replace('yield from reader.read(4096)', 'await reader.read(4096)');
  if (fixed === source) throw new Error('srv_asyncio2.py changed: the 3.11 patch no longer applies');
  writeFileSync(file, fixed);
});
afterAll(async () => {
  await stopAll();
  if (patched) rmSync(patched, { recursive: true, force: true });
});

/** One of the book's servers on a free port, once it accepts connections. */
async function bookServer(dir: string, program: string): Promise<{ proc: BackgroundProcess; port: number }> {
  const port = await freePort();
  const proc = startProcess(PYTHON, ['-u', program, '127.0.0.1', '-p', String(port)], { cwd: dir });
  await waitForPort(port, '127.0.0.1', 15_000);
  return { proc, port };
}

/** Our `client` printing the book's three, each with its answer, no error. */
function expectBookConversation(stdout: string): void {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(3);
  expect(new Set(lines).size).toBe(3);
  for (const line of lines) {
    const q = line.slice(0, line.indexOf('?') + 1);
    expect(line).toBe(`${q} ${bookAnswers.get(q)}`);
  }
}

describe("our client against the book's servers", () => {
  for (const program of [
    'srv_single.py',
    'srv_threaded.py',
    'srv_legacy1.py',
    'srv_legacy2.py',
    'srv_async.py',
    'srv_asyncio1.py',
  ]) {
    it(`asks ${program} the book's three questions and gets the three answers`, async () => {
      const { proc, port } = await bookServer(CHAPTER07, program);
      const r = await run(process.execPath, [cli, 'client', '127.0.0.1', '-p', String(port)], {
        timeoutMs: 20_000,
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expectBookConversation(r.stdout);
      await proc.stop('SIGKILL');
    });
  }

  it('prints each answer from srv_asyncio2.py as it comes and hangs up without waiting for a FIN that never comes', async () => {
    const { proc, port } = await bookServer(patched, 'srv_asyncio2.py');
    // With a 30 s answer deadline, a client that waited for the server's FIN (or its
    // deadline) before printing would show nothing for 30 s.
    const started = performance.now();
    const client = startCli(['client', '127.0.0.1', '-p', String(port), '--timeout-ms', '30000']);
    await client.waitForOutput(/^(.*\?.*\.\n){3}/, 10_000);
    expect(await client.exited(10_000)).toBe(0);
    expect(performance.now() - started).toBeLessThan(10_000);
    expectBookConversation(client.output());
    await proc.stop('SIGKILL');
  });
});

describe("the book's client.py against our server", () => {
  let server: BackgroundProcess;
  let port: number;
  beforeAll(async () => {
    server = startCli(['server', '127.0.0.1', '-p', '0'], { LOG_LEVEL: 'info' });
    port = Number((await server.waitForOutput(/Listening at 127\.0\.0\.1:(\d+)/))[1]);
  });
  afterAll(() => server?.stop());

  it('gets the three answers it expects, printed as bytes', async () => {
    const r = await run(PYTHON, ['client.py', '127.0.0.1', '-p', String(port)], {
      cwd: CHAPTER07,
      timeoutMs: 20_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').sort();
    const expected = [...bookAnswers].map(([q, a]) => `b'${q}' b'${a}'`).sort();
    expect(lines).toEqual(expected);
  });

  it('with -e sends half a question and hangs up: our server logs it and keeps answering', async () => {
    const r = await run(PYTHON, ['client.py', '127.0.0.1', '-p', String(port), '-e'], { cwd: CHAPTER07 });
    expect(r.code).toBe(0);
    await server.waitForOutput(/"receivedBytes":24,"msg":"client closed the connection mid-question"/);
    const again = await run(PYTHON, ['client.py', '127.0.0.1', '-p', String(port)], { cwd: CHAPTER07 });
    expect(again.stdout.trim().split('\n')).toHaveLength(3);
  });
});
