/**
 * Mutual TLS: openssl s_server -Verify 1 requires a client certificate signed by our CA.
 * With -c the inspector gets in; without it, it gets one clear line and exit 1, in TLS 1.3
 * (where the refusal only arrives after the client's Finished) and in TLS 1.2.
 */
import { runNode, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type OpenSslServer, startOpenSslServer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';

let pki: Pki;
let tls13: OpenSslServer;
let tls12: OpenSslServer;

beforeAll(async () => {
  pki = await makePki();
  const common = ['-cert', pki.serverCert, '-key', pki.serverKey, '-Verify', '1', '-CAfile', pki.caCert];
  tls13 = await startOpenSslServer([...common, '-tls1_3']);
  tls12 = await startOpenSslServer([...common, '-tls1_2']);
});

afterAll(async () => {
  await tls13?.stop();
  await tls12?.stop();
  await stopAll();
  pki?.cleanup();
});

describe('a server that requires a client certificate', () => {
  for (const [label, server] of [
    ['TLS 1.3', () => tls13],
    ['TLS 1.2', () => tls12],
  ] as const) {
    it(`lets us in with -c (${label})`, async () => {
      const r = await runNode(CLI, [
        'localhost',
        String(server().port),
        '-a',
        pki.caCert,
        '-c',
        pki.clientPem,
        '--json',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.clientCertificateOffered).toBe(true);
      expect(report.protocol).toBe(label === 'TLS 1.3' ? 'TLSv1.3' : 'TLSv1.2');
      expect(report.verification.verified).toBe(true);
    });

    it(`refuses us without -c, in one line with exit code 1 (${label})`, async () => {
      const r = await runNode(CLI, ['localhost', String(server().port), '-a', pki.caCert]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^error: TLS handshake with localhost:\d+ \(127\.0\.0\.1\) failed: .*(certificate required|handshake failure).*-c/,
      );
    });
  }
});
