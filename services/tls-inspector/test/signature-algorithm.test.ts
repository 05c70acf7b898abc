/**
 * The signature algorithm of a certificate, named as `openssl x509 -text` names it: read
 * from Node's own X509Certificate (Node 24), no ASN.1 parsing of ours.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeCertificate } from '../src/certificate.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ti-sigalg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate made by openssl: its DER, and the algorithm openssl reports. */
async function selfSigned(name: string, keyArgs: string[], digest: string[]) {
  const key = path.join(dir, `${name}.key`);
  const pem = path.join(dir, `${name}.pem`);
  const der = path.join(dir, `${name}.der`);
  const made = await run('openssl', [
    'req',
    '-x509',
    ...keyArgs,
    ...digest,
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-days',
    '2',
    '-keyout',
    key,
    '-out',
    pem,
  ]);
  expect(made.code, made.stderr).toBe(0);
  expect((await run('openssl', ['x509', '-in', pem, '-outform', 'DER', '-out', der])).code).toBe(0);
  const text = (await run('openssl', ['x509', '-in', pem, '-noout', '-text'])).stdout;
  return { der: readFileSync(der), openssl: /Signature Algorithm: (\S+)/.exec(text)![1]! };
}

describe('signature algorithm', () => {
  const cases: [string, string[], string[], string][] = [
    ['rsa-sha1', ['-newkey', 'rsa:2048'], ['-sha1'], 'sha1WithRSAEncryption'],
    ['rsa-sha384', ['-newkey', 'rsa:2048'], ['-sha384'], 'sha384WithRSAEncryption'],
    ['ec-sha256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], ['-sha256'], 'ecdsa-with-SHA256'],
    ['ed25519', ['-newkey', 'ed25519'], [], 'ED25519'],
  ];
  for (const [name, keyArgs, digest, expected] of cases) {
    it(`names ${expected} as openssl does (${name})`, async () => {
      const cert = await selfSigned(name, keyArgs, digest);
      expect(cert.openssl).toBe(expected);
      expect(summarizeCertificate(cert.der).signatureAlgorithm).toBe(cert.openssl);
    });
  }
});
