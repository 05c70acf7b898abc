/**
 * --scan against openssl s_server limited with -tls1_2, -tls1_3, -tls1 and -cipher: each
 * version is probed on its own connection, suites are enumerated, weak ones flagged.
 */
import { runNode } from '@fopnp/net/testing';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { useOpenSslFixture } from './helpers/fixture.js';
import { CLI } from './helpers/peers.js';

const fixture = useOpenSslFixture();
const server = (...args: string[]) =>
  fixture.server('-cert', fixture.pki.serverCert, '-key', fixture.pki.serverKey, ...args);

const accepted = (r: Awaited<ReturnType<typeof scan>>) =>
  r.versions.filter((v) => v.accepted).map((v) => v.version);

describe('scanning openssl s_server', () => {
  it('finds only TLS 1.2 on a server started with -tls1_2, and lists its suites in its order', async () => {
    const s = await server(
      '-tls1_2',
      '-cipher',
      'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305',
      '-serverpref',
    );
    const r = await scan({ host: 'localhost', port: s.port });
    expect(accepted(r)).toEqual(['TLSv1.2']);
    const tls12 = r.versions.find((v) => v.version === 'TLSv1.2')!;
    expect(tls12.ciphers.map((c) => c.name)).toEqual([
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-RSA-CHACHA20-POLY1305',
    ]);
    expect(tls12.ciphers.every((c) => c.strength === 'strong')).toBe(true);
    expect(r.versions.find((v) => v.version === 'TLSv1.3')!.error).toMatch(/protocol version/);
    expect(r.findings).toEqual([]);
    // 4 first probes + one per suite found + the probe that ends TLS 1.2's enumeration.
    expect(r.connections).toBe(4 + 2);
  });

  it('finds only TLS 1.3 on a server started with -tls1_3, with its three default suites', async () => {
    const s = await server('-tls1_3');
    const r = await scan({ host: 'localhost', port: s.port });
    expect(accepted(r)).toEqual(['TLSv1.3']);
    const names = r.versions.find((v) => v.version === 'TLSv1.3')!.ciphers.map((c) => c.name);
    expect(names.sort()).toEqual([
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
    ]);
  });

  it('flags TLS 1.0 and suites without forward secrecy or with CBC as weak', async () => {
    // Both sides must drop to security level 0 to speak TLS 1.0 with SHA-1 at all.
    const s = await server('-tls1', '-cipher', 'AES128-SHA:ECDHE-RSA-AES256-SHA:@SECLEVEL=0');
    const r = await scan({ host: 'localhost', port: s.port });
    expect(accepted(r)).toEqual(['TLSv1']);
    const tls10 = r.versions[0]!;
    expect(tls10).toMatchObject({
      version: 'TLSv1',
      strength: 'weak',
      reasons: ['TLSv1 is deprecated (RFC 8996)'],
    });
    const aes = tls10.ciphers.find((c) => c.name === 'AES128-SHA')!;
    expect(aes).toMatchObject({ strength: 'weak', secretBits: 128 });
    expect(aes.reasons).toEqual(['no forward secrecy', 'CBC mode (Lucky 13)']);
    expect(tls10.ciphers.find((c) => c.name === 'ECDHE-RSA-AES256-SHA')!.reasons).toEqual([
      'CBC mode (Lucky 13)',
    ]);
    expect(r.findings).toContain('TLSv1 accepted: TLSv1 is deprecated (RFC 8996)');
    expect(r.findings.some((f) => f.startsWith('TLSv1 AES128-SHA: weak'))).toBe(true);
  });

  it('prints the scan aligned, and as JSON with --json', async () => {
    const s = await server('-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA256');
    const text = await runNode(CLI, ['localhost', String(s.port), '--scan']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Protocol TLSv1.2.................... accepted\n');
    expect(text.stdout).toMatch(/^ {4}AES256-SHA256\.+ 256 bits WEAK: no forward/m);
    expect(text.stdout).toMatch(/^Protocol TLSv1\.3\.+ refused \(tlsv1 alert protocol\s+version\)$/m);
    expect(text.stdout).toContain('Weak or insecure findings........... 1 (flagged above)');
    const json = JSON.parse((await runNode(CLI, ['localhost', String(s.port), '--scan', '--json'])).stdout);
    expect(json.versions.map((v: { version: string; accepted: boolean }) => [v.version, v.accepted])).toEqual(
      [
        ['TLSv1', false],
        ['TLSv1.1', false],
        ['TLSv1.2', true],
        ['TLSv1.3', false],
      ],
    );
  });
});
