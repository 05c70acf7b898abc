/**
 * The book's test_tls.py `describe()`, as data: connect once and report what the
 * handshake produced. Field names here are the JSON API (documented in the README), so
 * change them only with a version bump.
 */
import tls from 'node:tls';
import {
  type CertificateSummary,
  certificateNames,
  peerChain,
  summarizeCertificate,
  WEAK_SIGNATURES,
} from './certificate.js';
import { secretBits } from './cipher-suites.js';
import { type OpenTlsOptions, openTls, type TlsConnection, type TlsTarget } from './connect.js';
import { type OcspSummary, summarizeOcsp } from './ocsp.js';

export interface InspectionReport {
  target: { host: string; port: number; address: string; servername: string | null };
  peerCertificate: boolean;
  /** CN and DNS subject alternative names of the leaf certificate. */
  names: string[];
  hostname: { checked: string; matches: boolean; error: string | null };
  protocol: string | null;
  cipher: { name: string; standardName: string; version: string; secretBits: number | null };
  /** Always "none": OpenSSL 3 as Node builds it has no TLS compression (CRIME). */
  compression: string;
  alpn: string | null;
  ephemeralKey: { type: string; name: string | null; size: number | null } | null;
  verification: { verified: boolean; error: string | null; trust: 'system' | 'ca-file' };
  chain: CertificateSummary[];
  ocsp: OcspSummary;
  /**
   * Whether we had a client certificate to present (-c). Node does not tell whether the
   * server asked for it; a server that requires one and gets none fails the handshake.
   */
  clientCertificateOffered: boolean;
  /** Problems worth a warning even when the handshake worked. */
  warnings: string[];
  timings: { connectMs: number; handshakeMs: number };
}

/** Human wording for OpenSSL's verification codes. */
const VERIFY_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain (untrusted root)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issuer not trusted (missing CA; try -a)',
  UNABLE_TO_GET_ISSUER_CERT: 'issuer certificate not found',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'cannot verify the leaf: incomplete chain',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_REVOKED: 'certificate revoked',
  CERT_SIGNATURE_FAILURE: 'bad certificate signature',
  CA_KEY_TOO_SMALL: 'CA key too small',
  EE_KEY_TOO_SMALL: 'certificate key too small',
  CA_MD_TOO_WEAK: 'signature digest too weak',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname does not match the certificate',
};

export function describeVerifyError(code: string | null): string | null {
  if (!code) return null;
  const reason = VERIFY_REASONS[code];
  return reason ? `${code} (${reason})` : code;
}

export interface InspectOptions extends OpenTlsOptions {
  /** True when `ca` came from -a, for the report's `trust` field. */
  caFromFile?: boolean;
}

/** Reads a report off an established connection. */
export function describeConnection(
  conn: TlsConnection,
  target: TlsTarget,
  options: { caFromFile?: boolean; clientCertificateOffered?: boolean } = {},
): InspectionReport {
  const { socket } = conn;
  const peer = socket.getPeerCertificate(true);
  const hasPeer = Boolean(peer?.raw);
  const chain = hasPeer ? peerChain(peer).map((der) => summarizeCertificate(der)) : [];
  const checked = conn.servername ?? target.host;
  const identityError = hasPeer ? tls.checkServerIdentity(checked, peer) : new Error('no certificate');
  const cipher = socket.getCipher();
  const ephemeral = socket.getEphemeralKeyInfo() as { type?: string; name?: string; size?: number } | null;
  const ocsp = summarizeOcsp(conn.ocspResponse);
  const verifyError = socket.authorized ? null : String(socket.authorizationError ?? 'UNKNOWN');
  const warnings: string[] = [];
  const leaf = chain[0];
  if (leaf?.expired) warnings.push(`certificate expired ${-leaf.daysLeft} days ago`);
  else if (leaf && leaf.daysLeft < 14) warnings.push(`certificate expires in ${leaf.daysLeft} days`);
  if (hasPeer && identityError) warnings.push(`certificate names do not match ${checked}`);
  if (leaf && WEAK_SIGNATURES.has(leaf.signatureAlgorithm))
    warnings.push(`weak signature ${leaf.signatureAlgorithm}`);
  if (leaf?.key.type === 'RSA' && (leaf.key.bits ?? 0) < 2048)
    warnings.push(`RSA key of ${leaf.key.bits} bits`);
  const protocol = socket.getProtocol();
  if (protocol === 'TLSv1' || protocol === 'TLSv1.1') warnings.push(`${protocol} is deprecated (RFC 8996)`);
  if (ocsp.certStatus === 'revoked') warnings.push('stapled OCSP response says the certificate is REVOKED');
  return {
    target: { host: target.host, port: target.port, address: conn.address, servername: conn.servername },
    peerCertificate: hasPeer,
    names: hasPeer ? certificateNames(peer) : [],
    hostname: {
      checked,
      matches: hasPeer && !identityError,
      error: hasPeer && identityError ? identityError.message : null,
    },
    protocol,
    cipher: {
      name: cipher.name,
      standardName: cipher.standardName,
      version: cipher.version,
      secretBits: secretBits(cipher.standardName, cipher.name),
    },
    compression: 'none',
    alpn: socket.alpnProtocol || null,
    ephemeralKey: ephemeral?.type
      ? { type: ephemeral.type, name: ephemeral.name ?? null, size: ephemeral.size ?? null }
      : null,
    verification: {
      verified: socket.authorized,
      error: describeVerifyError(verifyError),
      trust: options.caFromFile ? 'ca-file' : 'system',
    },
    chain,
    ocsp,
    clientCertificateOffered: options.clientCertificateOffered ?? false,
    warnings,
    timings: { connectMs: round(conn.connectMs), handshakeMs: round(conn.handshakeMs) },
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Connects, reports, closes. Throws one classified error when there is nothing to report. */
export async function inspect(target: TlsTarget, options: InspectOptions = {}): Promise<InspectionReport> {
  const conn = await openTls(target, options);
  try {
    return describeConnection(conn, target, {
      caFromFile: options.caFromFile,
      clientCertificateOffered: Boolean(options.cert),
    });
  } finally {
    conn.socket.end();
    conn.socket.destroySoon?.();
  }
}
