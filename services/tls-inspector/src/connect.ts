/**
 * One TLS connection to a named host, with every failure turned into one clear error:
 * resolve (checking each address against the policy), TCP connect to a checked IP
 * (bounded), then the TLS handshake with SNI set to the name (bounded). Verification is
 * never enforced here: the inspector wants to *report* why a chain fails, so it connects
 * with rejectUnauthorized: false and reads `authorized`/`authorizationError` afterwards.
 */
import net from 'node:net';
import tls from 'node:tls';
import {
  ConnectionRefusedError,
  connect,
  formatHostPort,
  resolveAll,
  TimeoutError,
  withTimeout,
} from '@fopnp/net';
import { type AddressChecker, ALLOW_ALL } from './address-policy.js';
import {
  AddressRefusedError,
  HandshakeFailedError,
  HandshakeTimeoutError,
  NotTlsError,
  PeerClosedError,
} from './errors.js';

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
export const TLS_VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * Node's OpenSSL 3 refuses TLS 1.0/1.1 (and SHA-1 handshake signatures) at its default
 * security level 1; level 0 lets a probe offer them so we can *see* whether a peer accepts.
 */
export const LEGACY_CIPHERS = 'ALL:COMPLEMENTOFALL:@SECLEVEL=0';

export interface TlsTarget {
  host: string;
  port: number;
  /** Name sent as SNI and checked against the certificate. @default host, or none for an IP */
  servername?: string;
}

export interface OpenTlsOptions {
  /** @default 5000 */
  connectTimeoutMs?: number;
  /** From TCP connected to handshake finished. @default 5000 */
  handshakeTimeoutMs?: number;
  /**
   * Absolute time (Date.now()) by which resolving, connecting and the handshake must be done,
   * whatever the two timeouts above allow: the caller's own deadline (the HTTP API's
   * `timeoutMs`), so the caller hears "the target timed out" before it gives up itself.
   */
  deadline?: number;
  /** Which resolved addresses may be used. @default ALLOW_ALL */
  policy?: AddressChecker;
  /** Trusted CA certificates (PEM); Node's bundled roots when absent. */
  ca?: string | Buffer;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** OpenSSL cipher list; TLS 1.3 suites (TLS_…) may be included. */
  ciphers?: string;
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  /** ALPN protocols to offer. @default ['h2', 'http/1.1'] */
  alpn?: string[];
  /** Ask for a stapled OCSP response. @default true */
  requestOCSP?: boolean;
  /**
   * After a TLS 1.3 handshake, wait this long for the server's first session ticket (or
   * its alert): in TLS 1.3 the client finishes before the server has checked the client's
   * certificate, so a "certificate required" refusal only arrives afterwards. @default 250
   */
  settleMs?: number;
}

export interface TlsConnection {
  socket: tls.TLSSocket;
  /** The IP address actually connected to. */
  address: string;
  servername: string | null;
  /** Stapled OCSP response, or null when the server sent none. */
  ocspResponse: Buffer | null;
  connectMs: number;
  handshakeMs: number;
}

/** SNI must not be an IP literal (RFC 6066 §3). */
export function defaultServername(target: TlsTarget): string | null {
  const name = target.servername ?? target.host;
  return name && !net.isIP(name) ? name : null;
}

/** Resolves the host and keeps only the addresses the policy allows; throws if none is left. */
export async function allowedAddresses(
  host: string,
  policy: AddressChecker,
  timeoutMs: number,
): Promise<string[]> {
  const resolved = await withTimeout(resolveAll(host), timeoutMs, `resolving ${host}`);
  const allowed: string[] = [];
  const refused: { address: string; category: string }[] = [];
  for (const { address } of resolved) {
    const verdict = policy.check(address);
    if (verdict.allowed) allowed.push(address);
    else refused.push({ address, category: verdict.category });
  }
  if (allowed.length === 0) throw new AddressRefusedError(host, refused);
  return allowed;
}

/** OpenSSL reason codes that mean the bytes coming back were not a TLS record at all. */
const NOT_TLS_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_HTTPS_PROXY_REQUEST',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_UNEXPECTED_MESSAGE',
]);

/** Words for the alerts a peer most often sends when it refuses a handshake. */
function alertReason(err: NodeJS.ErrnoException & { reason?: string }): string {
  const reason = err.reason ?? err.message;
  const code = err.code ?? '';
  if (code.includes('PROTOCOL_VERSION') || /unsupported protocol/i.test(reason))
    return `${reason}: the peer does not accept this protocol version (try -p or --scan)`;
  if (code.includes('CERTIFICATE_REQUIRED') || /certificate required/i.test(reason))
    return `${reason}: the server requires a client certificate (pass one with -c)`;
  if (code.includes('HANDSHAKE_FAILURE'))
    return `${reason}: no cipher suite in common, or a client certificate was required (try --scan, or -c)`;
  if (code.includes('BAD_CERTIFICATE') || code.includes('UNKNOWN_CA') || code.includes('DECRYPT_ERROR'))
    return `${reason}: the server rejected our client certificate`;
  if (code === 'ERR_SSL_NO_CIPHER_MATCH' || code === 'ERR_SSL_NO_CIPHERS_AVAILABLE')
    return `${reason}: no cipher suite left to offer for this protocol version`;
  return reason;
}

/** Classifies an error from the TLS layer for a connection to `target`. */
export function classifyTlsError(err: unknown, target: string): Error {
  const e = err as NodeJS.ErrnoException & { reason?: string; library?: string };
  if (e?.code && NOT_TLS_CODES.has(e.code))
    return new NotTlsError(target, e.reason ?? e.code, { cause: err });
  if (e?.code === 'ECONNRESET' || e?.code === 'EPIPE' || /socket disconnected/i.test(e?.message ?? ''))
    return new PeerClosedError(target, { cause: err });
  if (e?.code?.startsWith('ERR_SSL_') || e?.library === 'SSL routines')
    return new HandshakeFailedError(target, alertReason(e), { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/** Opens one TLS connection; the caller owns (and must end) the returned socket. */
export async function openTls(target: TlsTarget, options: OpenTlsOptions = {}): Promise<TlsConnection> {
  const left = () => Math.max(1, (options.deadline ?? Number.POSITIVE_INFINITY) - Date.now());
  const connectTimeoutMs = Math.min(options.connectTimeoutMs ?? 5_000, left());
  const started = performance.now();
  const addresses = await allowedAddresses(target.host, options.policy ?? ALLOW_ALL, connectTimeoutMs);
  const deadline = Math.min(Date.now() + connectTimeoutMs, options.deadline ?? Number.POSITIVE_INFINITY);
  let tcp: net.Socket | undefined;
  let address = addresses[0]!;
  for (const candidate of addresses) {
    // Connect to the checked IP itself, never to the name again (no second resolution).
    try {
      address = candidate;
      tcp = await connect(candidate, target.port, { timeoutMs: Math.max(1, deadline - Date.now()) });
      break;
    } catch (err) {
      // Each attempt gets what is left of the budget, so connect() names the remainder (691 ms
      // of 700 after a 9 ms pause between the two clocks); the user set --connect-timeout-ms.
      if (err instanceof TimeoutError)
        throw new TimeoutError(`connecting to ${formatHostPort(candidate, target.port)}`, connectTimeoutMs, {
          cause: err,
        });
      // Refused is quick and final for that address: try the next one (e.g. ::1 then 127.0.0.1).
      if (!(err instanceof ConnectionRefusedError) || candidate === addresses[addresses.length - 1])
        throw err;
    }
  }
  const connectMs = performance.now() - started;
  const handshakeTimeoutMs = Math.min(options.handshakeTimeoutMs ?? 5_000, left());
  const label = `${formatHostPort(target.host, target.port)}${target.host === address ? '' : ` (${address})`}`;
  const servername = defaultServername(target);
  let secure: tls.TLSSocket;
  try {
    secure = tls.connect({
      socket: tcp!,
      ...(servername ? { servername } : {}),
      rejectUnauthorized: false,
      // Keep `authorized` about the chain alone; the report checks the name separately.
      checkServerIdentity: () => undefined,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      ciphers: options.ciphers,
      minVersion: options.minVersion,
      maxVersion: options.maxVersion,
      ALPNProtocols: options.alpn ?? ['h2', 'http/1.1'],
      requestOCSP: options.requestOCSP ?? true,
    } as tls.ConnectionOptions);
  } catch (err) {
    tcp!.destroy();
    throw classifyTlsError(err, label);
  }
  return await new Promise<TlsConnection>((resolve, reject) => {
    let ocspResponse: Buffer | null = null;
    let handshakeMs = 0;
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(settleTimer);
      secure.off('error', onError);
      secure.off('close', onClose);
      secure.off('session', onSession);
      if (err) {
        secure.destroy();
        reject(err);
      } else {
        secure.on('error', () => {}); // late errors after the report are of no interest
        resolve({ socket: secure, address, servername, ocspResponse, connectMs, handshakeMs });
      }
    };
    const onError = (err: Error) => finish(classifyTlsError(err, label));
    const onClose = () => finish(new PeerClosedError(label));
    let handshakeDone = false;
    // A session ticket after our Finished means the server accepted the whole handshake.
    const onSession = () => handshakeDone && finish(null);
    let settleTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(
      () => finish(new HandshakeTimeoutError(label, handshakeTimeoutMs)),
      handshakeTimeoutMs,
    );
    const handshakeStart = performance.now();
    secure.on('OCSPResponse', (response: Buffer | null) => {
      ocspResponse = response && response.length > 0 ? response : null;
    });
    secure.once('secureConnect', () => {
      handshakeMs = performance.now() - handshakeStart;
      handshakeDone = true;
      if (secure.getProtocol() !== 'TLSv1.3') return finish(null);
      settleTimer = setTimeout(() => finish(null), options.settleMs ?? 250);
    });
    secure.on('session', onSession);
    secure.on('error', onError);
    secure.on('close', onClose);
  });
}
