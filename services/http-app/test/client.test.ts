import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cliTestKit, freePort, runNode } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, parseHeaderArg } from '../src/client.ts';
import { startApp, type TestApp } from './helpers.ts';

const { CLI } = cliTestKit(import.meta.url);

describe('http-app get, the curl -v style client', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('prints the connection, the request head as sent and the response head as received with -v', async () => {
    const r = await runNode(CLI, ['get', `${app.url}/get?q=1`, '-v', '-H', 'X-Book: fopnp']);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines).toContain(`*   Trying 127.0.0.1:${app.port}...`);
    expect(lines).toContain(`* Connected to 127.0.0.1 (127.0.0.1) port ${app.port} (#1)`);
    expect(lines).toContain('> GET /get?q=1 HTTP/1.1');
    expect(lines).toContain(`> Host: 127.0.0.1:${app.port}`);
    expect(lines).toContain('> X-Book: fopnp');
    expect(lines).toContain('< HTTP/1.1 200 OK');
    expect(lines).toContain('< content-type: application/json; charset=utf-8');
    const body = JSON.parse(r.stdout);
    // What the client printed as sent is what the server received.
    expect(body.headers['X-Book']).toBe('fopnp');
    expect(body.args).toEqual({ q: '1' });
  });

  it('reuses one keep-alive connection for --repeat 5 and says so', async () => {
    const r = await runNode(CLI, ['get', `${app.url}/get`, '-v', '--repeat', '5']);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/^\* Re-using existing connection #1/gm)?.length).toBe(4);
    expect(r.stderr).toContain('* 5 request(s), 1 connection(s) opened (keep-alive pool)');
  });

  it('opens a connection per request with --no-keepalive', async () => {
    const r = await runNode(CLI, ['get', `${app.url}/get`, '--repeat', '3', '--no-keepalive']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('* 3 request(s), 3 connection(s) opened (no keep-alive)');
  });

  it('says how each body was framed', async () => {
    for (const [mode, framing] of [
      ['length', 'Content-Length: 96'],
      ['chunked', 'chunked'],
      ['close', 'connection close'],
    ]) {
      const r = await runNode(CLI, ['get', `${app.url}/framing/${mode}`, '-v']);
      expect(r.stderr).toContain(`* body: 96 bytes, framed by ${framing}\n`);
    }
  });

  it('counts a new connection after the server closes one (Connection: close framing)', async () => {
    const client = new HttpClient();
    const first = await client.request(`${app.url}/framing/close`);
    const second = await client.request(`${app.url}/get`);
    const third = await client.request(`${app.url}/get`);
    client.close();
    expect([first.connection, second.connection, third.connection]).toEqual([1, 2, 2]);
    expect(third.reusedConnection).toBe(true);
    expect(client.connectionsOpened).toBe(2);
  });

  it('decodes gzip with --compressed and prints the head with -i', async () => {
    const r = await runNode(CLI, ['get', `${app.url}/gzip`, '--compressed', '-i']);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(r.stdout).toMatch(/content-encoding: gzip/i);
    expect(r.stdout).toContain('"gzipped":true');
  });

  it('explains a body that claims gzip but is not, in one line, with --compressed', async () => {
    const liar = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
      res.end('not gzip at all');
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const { port } = liar.address() as AddressInfo;
    try {
      const r = await runNode(CLI, ['get', `http://127.0.0.1:${port}/`, '--compressed']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `error: 127.0.0.1:${port} sent Content-Encoding: gzip but the body is not gzip (incorrect header check); retry without --compressed to see it\n`,
      );
    } finally {
      liar.closeAllConnections();
      await new Promise((r) => liar.close(r));
    }
  });

  it('keeps --timeout-ms as a deadline for the whole request, even while bytes trickle in', async () => {
    const t0 = Date.now();
    // The drip takes 10 s (MAX_DELAY_SECONDS): ending well before it proves the deadline, with room for a
    // loaded machine's slow start of the CLI (a CI run at load 56 took 6.3 s in all).
    const r = await runNode(CLI, ['get', `${app.url}/drip?numbytes=10&duration=10`, '--timeout-ms', '800']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: request to 127.0.0.1:${app.port} timed out after 800 ms\n`);
    expect(Date.now() - t0).toBeLessThan(9_000);
  });

  it('exits 22 on an HTTP error status, like curl --fail, with one line naming the status', async () => {
    const r = await runNode(CLI, ['get', `${app.url}/status/404`]);
    expect(r.code).toBe(22);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: ${app.url}/status/404 answered 404 Not Found\n`);
  });

  it('explains a refused connection, a bad URL and a bad header in one line', async () => {
    const port = await freePort();
    const refused = await runNode(CLI, ['get', `http://127.0.0.1:${port}/`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error: connection refused by 127.0.0.1:${port}: is the server running on that port?\n`,
    );
    const badUrl = await runNode(CLI, ['get', 'ftp://example.com/']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/only http:\/\/ URLs are supported/);
    const badHeader = await runNode(CLI, ['get', `${app.url}/get`, '-H', 'no colon']);
    expect(badHeader.code).toBe(2);
    expect(() => parseHeaderArg('Bad Name: x')).toThrow(/Name: value/);
  });
});
