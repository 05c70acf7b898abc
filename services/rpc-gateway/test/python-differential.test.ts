/**
 * The differential test of issue 8: Python's own xmlrpc.client runs the book's
 * xmlrpc_client.py, xmlrpc_multicall.py and xmlrpc_introspect.py calls (and many more)
 * against Python's SimpleXMLRPCServer with the book's functions and against ours. The
 * printed outputs must be byte-identical, faults included.
 */
import path from 'node:path';
import { run, stopAll } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { BOOK_CLIENT_LINES, PEERS, startOurServer, startPythonServer } from './helpers.js';

const clientScript = path.join(PEERS, 'book_clients.py');

async function outputOf(url: string, args: string[] = []): Promise<string> {
  const r = await run('python3', [clientScript, url, ...args], { timeoutMs: 20_000 });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

afterAll(stopAll);

describe('the book scripts through Python xmlrpc.client', () => {
  it('print byte-identical output against Python SimpleXMLRPCServer and ours (allow_none off, both defaults)', async () => {
    const python = await startPythonServer();
    const ours = await startOurServer({ ALLOW_NONE: 'false' });
    const [expected, actual] = await Promise.all([outputOf(python.url), outputOf(ours.url)]);
    expect(Buffer.from(actual)).toEqual(Buffer.from(expected));
    // And the output is the book's (xmlrpc_client.py's printed lines, the fault included).
    expect(actual).toContain(
      [
        '=== xmlrpc_client.py',
        ...BOOK_CLIENT_LINES,
        '=== xmlrpc_multicall.py',
        'abc',
        '[0.0, 8.0]',
        "[1, 2.0, 'three']",
        '=== xmlrpc_introspect.py',
        'Here are the functions supported by this server:',
        'addtogether(...)',
        '   Add together everything in the list `things`.',
      ].join('\n'),
    );
    expect(actual).toContain(
      `<Fault 1: "<class 'TypeError'>:cannot marshal None unless allow_none is enabled">`,
    );
    await Promise.all([python.proc.stop(), ours.proc.stop()]);
  });

  it('print byte-identical output with allow_none on both servers (nil goes through)', async () => {
    const python = await startPythonServer(['--allow-none']);
    const ours = await startOurServer({ ALLOW_NONE: 'true' });
    const [expected, actual] = await Promise.all([outputOf(python.url), outputOf(ours.url)]);
    expect(Buffer.from(actual)).toEqual(Buffer.from(expected));
    expect(actual).not.toContain('cannot marshal None');
    await Promise.all([python.proc.stop(), ours.proc.stop()]);
  });
});
