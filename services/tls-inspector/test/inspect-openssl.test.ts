/**
 * Our inspector against a real `openssl s_server`, one certificate case at a time; the
 * library's report fields are asserted, and the CLI's text and JSON once each.
 */
import { readFileSync } from 'node:fs';
import { runNode } from '@fopnp/net/testing';
import { describe, expect, it } from 'vitest';
import { inspect } from '../src/inspect.js';
import { useOpenSslFixture } from './helpers/fixture.js';
import { CLI } from './helpers/peers.js';

const fixture = useOpenSslFixture();
const server = fixture.server;
/** The localhost certificate, sent with the CA that issued it. */
const chained = () => [
  '-cert',
  fixture.pki.serverCert,
  '-key',
  fixture.pki.serverKey,
  '-cert_chain',
  fixture.pki.caCert,
];

describe('inspecting openssl s_server', () => {
  it('reports a verified chain, matching names, TLS 1.3 and a stapled OCSP response', async () => {
    const s = await server(...chained(), '-status_file', fixture.pki.ocspResponse);
    const r = await inspect(
      { host: 'localhost', port: s.port },
      { ca: readFileSync(fixture.pki.caCert), caFromFile: true },
    );
    expect(r.peerCertificate).toBe(true);
    expect(r.names).toEqual(['localhost']);
    expect(r.hostname).toEqual({ checked: 'localhost', matches: true, error: null });
    expect(r.target.servername).toBe('localhost');
    expect(r.protocol).toBe('TLSv1.3');
    expect(r.cipher.name).toMatch(/^TLS_/);
    expect(r.cipher.secretBits).toBeGreaterThanOrEqual(128);
    expect(r.ephemeralKey?.type).toBe('ECDH');
    expect(r.verification).toEqual({ verified: true, error: null, trust: 'ca-file' });
    expect(r.chain.map((c) => c.subject)).toEqual(['CN=localhost', 'CN=fopnp Test CA']);
    expect(r.chain[0]).toMatchObject({
      issuer: 'CN=fopnp Test CA',
      expired: false,
      key: { type: 'RSA', bits: 2048 },
      signatureAlgorithm: 'ecdsa-with-SHA256',
    });
    expect(r.chain[0]!.daysLeft).toBeGreaterThanOrEqual(28);
    expect(r.chain[1]).toMatchObject({
      selfSigned: true,
      isCA: true,
      key: { type: 'EC', curve: 'prime256v1' },
    });
    expect(r.ocsp).toMatchObject({ stapled: true, responseStatus: 'successful', certStatus: 'good' });
    expect(r.warnings).toEqual([]);
  });

  it('says "none" when the server staples no OCSP response, and the chain fails without -a', async () => {
    const s = await server('-cert', fixture.pki.serverCert, '-key', fixture.pki.serverKey);
    const r = await inspect({ host: 'localhost', port: s.port });
    expect(r.ocsp.stapled).toBe(false);
    expect(r.verification.verified).toBe(false);
    expect(r.verification.error).toMatch(
      /^UNABLE_TO_VERIFY_LEAF_SIGNATURE|^UNABLE_TO_GET_ISSUER_CERT_LOCALLY/,
    );
    expect(r.verification.trust).toBe('system');
  });

  it('flags an expired certificate with the reason OpenSSL gives', async () => {
    const s = await server('-cert', fixture.pki.expiredCert, '-key', fixture.pki.expiredKey);
    const r = await inspect({ host: 'localhost', port: s.port }, { ca: readFileSync(fixture.pki.caCert) });
    expect(r.verification.verified).toBe(false);
    expect(r.verification.error).toBe('CERT_HAS_EXPIRED (certificate has expired)');
    expect(r.chain[0]).toMatchObject({ expired: true, notAfter: '2020-02-01T00:00:00Z' });
    expect(r.warnings.join('\n')).toMatch(/certificate expired \d+ days ago/);
  });

  it('reports a certificate for the wrong name as not matching, though its chain verifies', async () => {
    const s = await server('-cert', fixture.pki.wrongNameCert, '-key', fixture.pki.wrongNameKey);
    const r = await inspect({ host: 'localhost', port: s.port }, { ca: readFileSync(fixture.pki.caCert) });
    expect(r.names).toEqual(['wrong.example']);
    expect(r.hostname.matches).toBe(false);
    expect(r.hostname.error).toMatch(/localhost.*wrong\.example|wrong\.example.*localhost/);
    expect(r.verification.verified).toBe(true);
  });

  it('reports a self-signed certificate as such', async () => {
    const s = await server('-cert', fixture.pki.selfSignedCert, '-key', fixture.pki.selfSignedKey);
    const r = await inspect({ host: '127.0.0.1', port: s.port });
    expect(r.target.servername).toBeNull(); // no SNI for an IP literal (RFC 6066)
    expect(r.hostname).toMatchObject({ checked: '127.0.0.1', matches: true }); // IP SAN
    expect(r.verification.error).toBe('DEPTH_ZERO_SELF_SIGNED_CERT (self-signed certificate)');
    expect(r.chain).toHaveLength(1);
    expect(r.chain[0]!.selfSigned).toBe(true);
  });

  it('honours -p by negotiating what the server allows: TLS 1.2 from a server capped at 1.2', async () => {
    const s = await server('-cert', fixture.pki.serverCert, '-key', fixture.pki.serverKey, '-tls1_2');
    const r = await inspect({ host: 'localhost', port: s.port }, { ca: readFileSync(fixture.pki.caCert) });
    expect(r.protocol).toBe('TLSv1.2');
    expect(r.cipher.version).toBe('TLSv1.2');
    expect(r.cipher.name).toMatch(/^ECDHE-RSA-/);
    await expect(inspect({ host: 'localhost', port: s.port }, { minVersion: 'TLSv1.3' })).rejects.toThrow(
      /TLS handshake with localhost:\d+ \(127\.0\.0\.1\) failed: .*protocol version/,
    );
  });

  it('prints the book-style aligned report, and the same data as JSON', async () => {
    const s = await server(...chained());
    const text = await runNode(CLI, ['localhost', String(s.port), '-a', fixture.pki.caCert]);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines).toContain('Peer certificate.................... provided');
    expect(lines).toContain('Whether name(s) match the hostname.. Yes');
    expect(lines).toContain('Protocol version negotiated......... TLSv1.3');
    expect(lines).toContain('Compression algorithm in use........ none');
    expect(lines).toContain('Certificate chain verified.......... yes (trusting the -a CA file)');
    expect(lines).toContain('Certificate 1 (root)................ CN=fopnp Test CA');
    expect(lines).toContain('OCSP stapled response............... none');
    // Every say() line puts its value at column 37, as the book's does.
    for (const line of lines.filter((l) => /^\S.*\.{2,} /.test(l))) expect(line.indexOf('.. ') + 3).toBe(37);
    const verbose = await runNode(CLI, ['localhost', String(s.port), '-a', fixture.pki.caCert, '-v']);
    expect(verbose.stdout).toMatch(
      /^ {4}subject alternative names\.+ DNS:localhost\s+IP\s+Address:127\.0\.0\.1$/m,
    );
    expect(verbose.stdout).toMatch(/^ {4}CA certificate\.+ yes$/m);
    const json = await runNode(CLI, ['localhost', String(s.port), '-a', fixture.pki.caCert, '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      protocol: 'TLSv1.3',
      verification: { verified: true },
      peerCertificate: true,
    });
    expect(report.chain).toHaveLength(2);
  });

  it("says it offers Node's cipher list, not the book's ALL, unless -C names one", async () => {
    const s = await server(...chained());
    const plain = await runNode(CLI, ['localhost', String(s.port), '-a', fixture.pki.caCert]);
    expect(plain.stdout).toContain(
      "Ciphers offered..................... Node's default list, not the\n    book's ALL (-C ALL offers the book's)\n",
    );
    const all = await runNode(CLI, ['localhost', String(s.port), '-a', fixture.pki.caCert, '-C', 'ALL']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('Protocol version negotiated......... TLSv1.3');
    expect(all.stdout).not.toContain('Ciphers offered');
  });
});
