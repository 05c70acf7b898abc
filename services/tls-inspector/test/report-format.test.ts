import { describe, expect, it } from 'vitest';
import { judgeSuite, secretBits } from '../src/cipher-suites.js';
import * as errors from '../src/errors.js';
import { INSPECTOR_ERRORS, InspectorError } from '../src/errors.js';
import { fill, say } from '../src/format.js';

describe("say() and fill(), the book's output", () => {
  it('pads titles with dots to 36 columns', () => {
    expect(say('Peer certificate', 'provided')).toBe('Peer certificate.................... provided');
    expect(say('Whether name(s) match the hostname', 'Yes')).toBe('Whether name(s) match the hostname.. Yes');
  });

  it('wraps at 70 columns with a four-space indent and never breaks a long word', () => {
    const text = say(
      'Name(s) on peer certificate',
      ...Array.from({ length: 8 }, (_, i) => `host${i}.example.com`),
    );
    const lines = text.split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(70);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {4}\S/);
    const long = 'x'.repeat(90);
    expect(fill(`short ${long}`)).toBe(`short\n    ${long}`);
  });
});

describe('cipher suite judgement', () => {
  it.each([
    ['TLS_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256', 128, 'strong'],
    ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305', 256, 'strong'],
    ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ECDHE-RSA-AES256-SHA', 256, 'weak'],
    ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256', 128, 'weak'],
    ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'DES-CBC3-SHA', 112, 'weak'],
    ['TLS_RSA_WITH_RC4_128_SHA', 'RC4-SHA', 128, 'insecure'],
    ['TLS_DH_anon_WITH_AES_128_GCM_SHA256', 'ADH-AES128-GCM-SHA256', 128, 'insecure'],
    ['TLS_RSA_WITH_NULL_SHA256', 'NULL-SHA256', 0, 'insecure'],
  ])('%s: %i bits, %s', (std, ossl, bits, strength) => {
    expect(secretBits(std, ossl)).toBe(bits);
    expect(judgeSuite(std, ossl).strength).toBe(strength);
  });
});

describe('error codes', () => {
  it('are unique, match their keys, and every error class uses one', () => {
    const codes = INSPECTOR_ERRORS.codes;
    expect(new Set(Object.values(codes)).size).toBe(Object.keys(codes).length);
    for (const [k, v] of Object.entries(codes)) expect(v).toBe(`FOPNP_TLS_INSPECTOR_ERR_${k}`);
    const classes = Object.values(errors).filter(
      (v): v is typeof InspectorError => typeof v === 'function' && v.prototype instanceof InspectorError,
    );
    expect(classes.length).toBeGreaterThanOrEqual(9);
  });
});
