/**
 * What a cipher suite's name tells: its secret key size (the book's "Cipher key has this
 * many bits", which Python reads from SSL_CIPHER_get_bits but Node does not expose) and
 * whether it is weak. Judged from the IANA name, which spells out key exchange, cipher
 * and MAC (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), with the OpenSSL name as a fallback.
 */
import type { TlsVersion } from './connect.js';

export type Strength = 'strong' | 'weak' | 'insecure';

export interface SuiteVerdict {
  strength: Strength;
  reasons: string[];
}

/** Bits of the symmetric key, as OpenSSL's "secret bits" counts them (3DES: 112). */
export function secretBits(standardName: string, opensslName = ''): number | null {
  const name = `${standardName} ${opensslName}`.toUpperCase();
  if (/CHACHA20/.test(name)) return 256;
  if (/3DES|DES-CBC3|DES_EDE/.test(name)) return 112;
  if (/_DES_|DES-CBC-|DES40/.test(name)) return 56;
  if (/(?:AES|CAMELLIA|ARIA|RC4|SM4)[_-]?(128|256)/.exec(name)) {
    return Number(/(?:AES|CAMELLIA|ARIA|RC4|SM4)[_-]?(128|256)/.exec(name)![1]);
  }
  if (/SEED|IDEA/.test(name)) return 128;
  if (/_WITH_NULL_|NULL-/.test(name)) return 0;
  return null;
}

export function judgeSuite(standardName: string, opensslName = ''): SuiteVerdict {
  const std = standardName.toUpperCase();
  const ossl = opensslName.toUpperCase();
  const insecure: string[] = [];
  const weak: string[] = [];
  if (std.includes('_WITH_NULL_') || ossl.includes('NULL')) insecure.push('no encryption (NULL cipher)');
  if (std.includes('_ANON_') || /^(ADH|AECDH)-/.test(ossl))
    insecure.push('anonymous: no server authentication');
  if (std.includes('EXPORT') || ossl.startsWith('EXP')) insecure.push('export-grade key');
  if (std.includes('RC4') || ossl.includes('RC4')) insecure.push('RC4 stream cipher (RFC 7465)');
  if (/_DES_|DES40/.test(std) || /^DES-CBC-|-DES-CBC-/.test(ossl)) insecure.push('single DES (56-bit key)');
  if (std.endsWith('_MD5') || ossl.endsWith('-MD5')) insecure.push('MD5 MAC');
  if (/3DES|DES_EDE/.test(std) || ossl.includes('DES-CBC3')) weak.push('3DES 64-bit block (SWEET32)');
  const tls13 = std.startsWith('TLS_AES_') || std.startsWith('TLS_CHACHA20_');
  if (!tls13) {
    if (/^TLS_(RSA|PSK|RSA_PSK|SRP_SHA|ECDH_|DH_)/.test(std)) weak.push('no forward secrecy');
    if (std.includes('_CBC_')) weak.push('CBC mode (Lucky 13)');
  }
  if (insecure.length) return { strength: 'insecure', reasons: [...insecure, ...weak] };
  if (weak.length) return { strength: 'weak', reasons: weak };
  return { strength: 'strong', reasons: [] };
}

/** RFC 8996 deprecates TLS 1.0 and 1.1. */
export function judgeVersion(version: TlsVersion): SuiteVerdict {
  return version === 'TLSv1' || version === 'TLSv1.1'
    ? { strength: 'weak', reasons: [`${version} is deprecated (RFC 8996)`] }
    : { strength: 'strong', reasons: [] };
}
