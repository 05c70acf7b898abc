/**
 * The book's own JSON-RPC programs (chapter18/jsonrpc_server.py and jsonrpc_client.py, read
 * from ../shared/peers/fopnp-py3) against ours, under Debian's /usr/bin/python3 with
 * python3-jsonrpclib-pelix (ci/prereqs.sh installs it). Both have port 7002 written in:
 * each runs from a copy in a temporary folder with the test's free port instead, the one
 * patch.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, run, runNode, startProcess, stopAll, waitForPort } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, here, startOurServer } from './helpers.js';

const BOOK = path.resolve(here, '../../../../shared/peers/fopnp-py3/chapter18');
const PYTHON = '/usr/bin/python3';
const LENGTHS = "[[3, [1, 2, 3]], [None, 27], [2, {'Sirius': -1.46, 'Rigel': 0.12}]]\n";

const tmp = mkdtempSync(path.join(tmpdir(), 'rpc-gateway-book-'));
/** The book's file with its fixed port 7002 replaced by `port`. */
function onPort(file: string, port: number): string {
  const copy = path.join(tmp, `${port}-${file}`);
  writeFileSync(copy, readFileSync(path.join(BOOK, file), 'utf8').replaceAll('7002', String(port)));
  return copy;
}

beforeAll(async () => {
  const r = await run(PYTHON, ['-c', 'import jsonrpclib']);
  if (r.code !== 0)
    throw new Error(`${PYTHON} lacks jsonrpclib: apt-get install python3-jsonrpclib-pelix (ci/prereqs.sh)`);
});
afterAll(async () => {
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

describe("the book's JSON-RPC programs", () => {
  it("our jsonrpc-client talks to the book's jsonrpc_server.py and prints what its client prints", async () => {
    const port = await freePort();
    const server = startProcess(PYTHON, ['-u', onPort('jsonrpc_server.py', port)]);
    await server.waitForOutput(/Starting server/);
    await waitForPort(port);
    const book = await run(PYTHON, [onPort('jsonrpc_client.py', port)]);
    expect(book.stdout).toBe(LENGTHS);
    const ours = await runNode(CLI, ['jsonrpc-client', 'localhost', '-p', String(port)]);
    expect(ours.stderr).toBe('');
    expect(ours.stdout).toBe(LENGTHS);
    await server.stop();
  });

  it("the book's jsonrpc_client.py gets its answer from our server on / (routed by Content-Type)", async () => {
    const ours = await startOurServer();
    const port = Number(new URL(ours.url).port);
    const book = await run(PYTHON, [onPort('jsonrpc_client.py', port)]);
    expect(book.stderr).toBe('');
    expect(book.stdout).toBe(LENGTHS);
    // XML-RPC on / is still XML-RPC: the book's xmlrpc_client.py posts there with text/xml.
    const xml = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<?xml version="1.0"?><methodCall><methodName>addtogether</methodName><params><param><value><int>2</int></value></param><param><value><int>3</int></value></param></params></methodCall>',
    });
    expect(await xml.text()).toMatch(/<int>5<\/int>/);
    await ours.proc.stop();
  });

  it('a path the server does not answer on is one line naming the URL, the status and --path', async () => {
    const port = await freePort();
    const server = startProcess(PYTHON, ['-u', onPort('jsonrpc_server.py', port)]);
    await server.waitForOutput(/Starting server/);
    await waitForPort(port);
    const r = await runNode(CLI, ['jsonrpc-client', 'localhost', '-p', String(port), '--path', '/jsonrpc']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: http://localhost:${port}/jsonrpc answered HTTP 404 (no RPC at that path: give the one the server answers on, e.g. --path / for the book's jsonrpc_server.py): No such page\n`,
    );
    await server.stop();
  });
});
