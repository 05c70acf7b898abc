/**
 * inetd mode under a real inetd: Debian's openbsd-inetd (ci/prereqs.sh installs it), run
 * in the foreground (-i) with a configuration file of the test's own on loopback ports,
 * as the book's inetd.conf runs in_zen1.py (nowait) and in_zen2.py (wait).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { APHORISMS } from '../src/index.js';
import { CHAPTER07, waitFor } from './helpers.js';

const INETD = '/usr/sbin/inetd';
const { CLI: cli } = cliTestKit(import.meta.url);
const answers = new Map(APHORISMS);

let dir: string;
let inetd: BackgroundProcess;
let nowaitPort: number;
let waitPort: number;
const log = () =>
  existsSync(path.join(dir, 'zen.log')) ? readFileSync(path.join(dir, 'zen.log'), 'utf8') : '';

beforeAll(async () => {
  if (!existsSync(INETD))
    throw new Error(`${INETD} is missing: run services/zen-asyncio/ci/prereqs.sh (openbsd-inetd)`);
  dir = mkdtempSync(path.join(os.tmpdir(), 'zen-inetd-'));
  nowaitPort = await freePort();
  waitPort = await freePort();
  const zen = `${process.execPath} node ${cli} inetd --log-file ${path.join(dir, 'zen.log')}`;
  writeFileSync(
    path.join(dir, 'inetd.conf'),
    `127.0.0.1:${nowaitPort} stream tcp nowait root ${zen}\n` +
      `127.0.0.1:${waitPort} stream tcp wait root ${zen} --wait --linger-ms 1000\n`,
  );
  inetd = startProcess(INETD, ['-i', '-d', path.join(dir, 'inetd.conf')]);
  await waitForPort(nowaitPort, '127.0.0.1', 15_000);
  await waitForPort(waitPort, '127.0.0.1', 15_000);
});
afterAll(async () => {
  await inetd?.stop();
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function askThree(port: number): Promise<string[]> {
  const r = await run(process.execPath, [cli, 'client', '127.0.0.1', '-p', String(port)], {
    timeoutMs: 20_000,
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.trim().split('\n');
  for (const line of lines)
    expect(line).toBe(
      `${line.slice(0, line.indexOf('?') + 1)} ${answers.get(line.slice(0, line.indexOf('?') + 1))}`,
    );
  return lines;
}

describe('inetd mode under openbsd-inetd', () => {
  it('nowait (in_zen1.py): one process per connection answers our client and the book’s client.py', async () => {
    const [a, b] = await Promise.all([askThree(nowaitPort), askThree(nowaitPort)]);
    expect(a).toHaveLength(3);
    expect(b).toHaveLength(3);
    const book = await run('/usr/bin/python3', ['client.py', '127.0.0.1', '-p', String(nowaitPort)], {
      cwd: CHAPTER07,
    });
    expect(book.code).toBe(0);
    expect(book.stdout.trim().split('\n')).toHaveLength(3);
    // each conversation was its own process, started and reaped by inetd
    expect(inetd.output().match(/execv/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
  });

  it('wait (in_zen2.py): one process serves the listening socket, leaves after its linger, and inetd starts another', async () => {
    expect(await askThree(waitPort)).toHaveLength(3);
    expect(await askThree(waitPort)).toHaveLength(3);
    const half = await run(process.execPath, [cli, 'client', '127.0.0.1', '-p', String(waitPort), '-e']);
    expect(half.code).toBe(0);
    await waitFor(() => log().includes('"receivedBytes":24'), 5_000, 'the mid-question hang-up in the log');
    await waitFor(
      () => log().includes('handing the port back to inetd'),
      10_000,
      'the wait-mode server to leave after its linger',
    );
    expect(await askThree(waitPort)).toHaveLength(3);
    expect(log().match(/serving the listening socket inetd handed over/g)?.length).toBeGreaterThanOrEqual(2);
  });
});
