/**
 * Our `-s` server (the book's test_tls.py -s, with safe_tls.py defaults) against Python's
 * stdlib ssl client: it verifies us with our CA and gets TLS 1.2 or newer; a client that
 * insists on TLS 1.0 is refused and the server says so and carries on.
 */
import path from 'node:path';
import { type BackgroundProcess, run, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEERS_DIR, startCli } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';

let pki: Pki;
let server: BackgroundProcess;
let port: number;

const python = (...args: string[]) =>
  run('python3', [
    path.join(PEERS_DIR, 'tls_client.py'),
    '127.0.0.1',
    String(port),
    '--cafile',
    pki.caCert,
    ...args,
  ]);

beforeAll(async () => {
  pki = await makePki();
  server = startCli(['127.0.0.1', '0', '-s', pki.serverPem, '-a', pki.caCert]);
  const m = await server.waitForOutput(/Interface where we are listening\.+ 127\.0\.0\.1 port (\d+)/);
  port = Number(m[1]);
});

afterAll(async () => {
  await server?.stop();
  await stopAll();
  pki?.cleanup();
});

describe('our -s server and a Python ssl client', () => {
  it('is verified by the Python client with our CA and negotiates TLS 1.3', async () => {
    const r = await python();
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout);
    expect(seen.version).toBe('TLSv1.3');
    expect(seen.server_subject_cn).toBe('localhost');
    expect(seen.server_said).toBe(`TLSv1.3 ${seen.cipher}`);
    await server.waitForOutput(/Server name \(SNI\) received\.+ localhost\n/);
    expect(server.output()).toContain('Peer certificate.................... none');
  });

  it('reports the client certificate Python presents, verified against -a', async () => {
    const r = await python('--cert', pki.clientPem);
    expect(r.code).toBe(0);
    await server.waitForOutput(
      /Name\(s\) on peer certificate\.+ test-client\nClient certificate verified\.+ yes/,
    );
  });

  it('refuses a client that forces TLS 1.0, and keeps serving', async () => {
    const refused = await python('--force-tls1');
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stdout).refused).toMatch(/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|ALERT/i);
    await server.waitForOutput(/Client handshake failed\.+ 127\.0\.0\.1:\d+\s+unsupported\s+protocol/);
    const again = await python();
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).version).toMatch(/^TLSv1\.[23]$/);
  });

  it('negotiates TLS 1.2 with a forward-secret AEAD suite when the client stops at 1.2', async () => {
    const r = await run('python3', [
      '-c',
      `import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1]); ctx.maximum_version = ssl.TLSVersion.TLSv1_2
with ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[2]))), server_hostname='localhost') as s:
    print(s.version(), s.cipher()[0])`,
      pki.caCert,
      String(port),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^TLSv1\.2 ECDHE-RSA-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
  });
});
