/**
 * What we say about one certificate: names, validity, key, signature algorithm, all from
 * Node's X509Certificate (since Node 24 it names the signature algorithm too, with
 * OpenSSL's names).
 */
import { X509Certificate } from 'node:crypto';
import type tls from 'node:tls';

export interface CertificateSummary {
  /** One line, most significant last as OpenSSL prints it: "O=Example, CN=localhost". */
  subject: string;
  issuer: string;
  /** Subject alternative names as "DNS:localhost", "IP Address:127.0.0.1". */
  subjectAltNames: string[];
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
  expired: boolean;
  notYetValid: boolean;
  selfSigned: boolean;
  isCA: boolean;
  key: { type: string; bits: number | null; curve: string | null };
  signatureAlgorithm: string;
  sha256Fingerprint: string;
}

/** Signature algorithms no one should accept any more. */
export const WEAK_SIGNATURES = new Set(['md5WithRSAEncryption', 'sha1WithRSAEncryption', 'ecdsa-with-SHA1']);

/** OpenSSL's name of the signature algorithm ("sha256WithRSAEncryption"), or its OID if it has none. */
export function signatureAlgorithmOf(cert: X509Certificate): string {
  return cert.signatureAlgorithm ?? cert.signatureAlgorithmOid;
}

/** "C=GB\nO=Example\nCN=localhost" (Node's X509Certificate format) → "C=GB, O=Example, CN=localhost". */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

const DAY_MS = 86_400_000;

export function summarizeCertificate(der: Buffer, now = Date.now()): CertificateSummary {
  const cert = new X509Certificate(der);
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const type = (key.asymmetricKeyType ?? 'unknown').toUpperCase();
  const bits =
    details.modulusLength ??
    (type === 'EC'
      ? curveBits(details.namedCurve)
      : type === 'ED25519'
        ? 256
        : type === 'ED448'
          ? 456
          : null);
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    subjectAltNames: cert.subjectAltName ? cert.subjectAltName.split(/,\s*/) : [],
    serialNumber: cert.serialNumber,
    notBefore: isoSeconds(notBefore),
    notAfter: isoSeconds(notAfter),
    daysLeft: Math.floor((notAfter.getTime() - now) / DAY_MS),
    expired: notAfter.getTime() < now,
    notYetValid: notBefore.getTime() > now,
    // Issuer = subject and signed by its own key; not checkIssued(), which also wants the
    // keyCertSign usage that a self-signed *leaf* (like our demo certificate) lacks.
    selfSigned: cert.subject === cert.issuer && cert.verify(cert.publicKey),
    isCA: cert.ca,
    key: { type, bits, curve: details.namedCurve ?? null },
    signatureAlgorithm: signatureAlgorithmOf(cert),
    sha256Fingerprint: cert.fingerprint256,
  };
}

/** 2026-12-25T09:59:55Z: whole seconds, as certificates count time. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function curveBits(curve: string | undefined): number | null {
  const m = /(\d{3})/.exec(curve ?? '');
  return m ? Number(m[1]) : null;
}

/** Names the book's test_tls.py lists: the subject's CN, then every DNS SAN. */
export function certificateNames(cert: tls.PeerCertificate): string[] {
  const names: string[] = [];
  const cn = cert.subject?.CN;
  if (cn) names.push(...(Array.isArray(cn) ? cn : [cn]));
  for (const san of (cert.subjectaltname ?? '').split(/,\s*/)) {
    if (san.startsWith('DNS:')) names.push(san.slice(4));
  }
  return [...new Set(names)];
}

/** The peer's chain, leaf first, following issuerCertificate until the self-issued root. */
export function peerChain(leaf: tls.DetailedPeerCertificate): Buffer[] {
  const chain: Buffer[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = leaf;
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert.raw);
    cert = cert.issuerCertificate;
  }
  return chain;
}
