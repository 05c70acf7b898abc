/**
 * Which protocol versions and cipher suites a peer accepts, like sslyze or testssl.sh.
 * Each version is tried on its own connection with min = max = that version. Suites are
 * found the way testssl.sh does: offer everything, note the suite the server picks, offer
 * everything except the suites found so far, repeat until the handshake fails. That costs
 * one connection per accepted suite (plus one), not one per suite OpenSSL knows, and gives
 * the server's preference order when it enforces one.
 *
 * Node's OpenSSL refuses TLS 1.0/1.1 at its default security level, so every probe below
 * TLS 1.3 offers `…@SECLEVEL=0`: the scanner must be able to *speak* the old protocols to
 * learn that a peer still accepts them.
 */
import { formatHostPort, TimeoutError } from '@fopnp/net';
import { judgeSuite, judgeVersion, type Strength, secretBits } from './cipher-suites.js';
import {
  LEGACY_CIPHERS,
  type OpenTlsOptions,
  openTls,
  TLS_VERSIONS,
  type TlsTarget,
  type TlsVersion,
} from './connect.js';
import { HandshakeFailedError, PeerClosedError } from './errors.js';

/** Every TLS 1.3 suite OpenSSL implements (the CCM ones are off by default). */
const TLS13_SUITES = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_128_CCM_SHA256',
  'TLS_AES_128_CCM_8_SHA256',
];

export interface ScannedSuite {
  name: string;
  standardName: string;
  secretBits: number | null;
  strength: Strength;
  reasons: string[];
}

export interface ScannedVersion {
  version: TlsVersion;
  accepted: boolean;
  /** Why the version was refused, when it was. */
  error: string | null;
  strength: Strength;
  reasons: string[];
  /** Accepted suites in the order the server picked them. */
  ciphers: ScannedSuite[];
}

export interface ScanReport {
  target: { host: string; port: number; address: string | null; servername: string | null };
  versions: ScannedVersion[];
  /** One line per weak or insecure finding, for the summary and for alerting. */
  findings: string[];
  connections: number;
  durationMs: number;
}

export interface ScanOptions extends Omit<OpenTlsOptions, 'minVersion' | 'maxVersion' | 'ciphers'> {
  /** Versions to try. @default all four */
  versions?: readonly TlsVersion[];
  /** Upper bound on suites enumerated per version (and so on connections). @default 64 */
  maxSuitesPerVersion?: number;
  /** Epoch ms after which no new probe starts (TimeoutError), and a probe in flight ends. @default none */
  deadline?: number;
}

/** Failures that mean "this peer refused what we offered", as opposed to "we could not reach it". */
function isRefusal(err: unknown): boolean {
  return err instanceof HandshakeFailedError || err instanceof PeerClosedError;
}

/** OpenSSL's own words for a refusal ("tlsv1 alert protocol version"), without our hints. */
function refusalReason(err: unknown): string {
  const cause = (err as { cause?: { reason?: string } }).cause;
  return cause?.reason ?? (err instanceof HandshakeFailedError ? err.reason : (err as Error).message);
}

function offer(version: TlsVersion, exclude: string[]): string {
  if (version === 'TLSv1.3') return TLS13_SUITES.filter((s) => !exclude.includes(s)).join(':');
  // `!NAME` removes a suite for good, whatever comes later in the list.
  return [LEGACY_CIPHERS.replace(':@SECLEVEL=0', ''), ...exclude.map((n) => `!${n}`), '@SECLEVEL=0'].join(
    ':',
  );
}

export async function scan(target: TlsTarget, options: ScanOptions = {}): Promise<ScanReport> {
  const started = performance.now();
  const maxSuites = options.maxSuitesPerVersion ?? 64;
  const versions: ScannedVersion[] = [];
  let connections = 0;
  let address: string | null = null;
  let servername: string | null = null;

  const probe = async (version: TlsVersion, exclude: string[]) => {
    const ciphers = offer(version, exclude);
    if (!ciphers) return null; // nothing left to offer
    if (options.deadline !== undefined && Date.now() > options.deadline) {
      throw new TimeoutError(
        `scanning ${formatHostPort(target.host, target.port)}`,
        Math.round(performance.now() - started),
      );
    }
    connections++;
    const conn = await openTls(target, {
      ...options,
      minVersion: version,
      maxVersion: version,
      ciphers,
      requestOCSP: false,
      settleMs: 0,
    });
    address = conn.address;
    servername = conn.servername;
    const cipher = conn.socket.getCipher();
    const negotiated = conn.socket.getProtocol();
    conn.socket.destroy();
    if (negotiated !== version)
      throw new HandshakeFailedError(
        formatHostPort(target.host, target.port),
        `negotiated ${negotiated}, not ${version}`,
      );
    return cipher;
  };

  for (const version of options.versions ?? TLS_VERSIONS) {
    const entry: ScannedVersion = {
      version,
      accepted: false,
      error: null,
      strength: 'strong',
      reasons: [],
      ciphers: [],
    };
    versions.push(entry);
    const found: string[] = [];
    while (found.length < maxSuites) {
      let cipher: Awaited<ReturnType<typeof probe>>;
      try {
        cipher = await probe(version, found);
      } catch (err) {
        // The first refusal says the version is off; a later one only ends the enumeration.
        // Anything else (timeout, refused TCP, not TLS) means the scan cannot go on.
        if (!isRefusal(err)) throw err;
        if (found.length === 0) entry.error = refusalReason(err);
        break;
      }
      if (!cipher || found.includes(cipher.name)) break;
      found.push(cipher.name);
      entry.accepted = true;
      const verdict = judgeSuite(cipher.standardName, cipher.name);
      entry.ciphers.push({
        name: cipher.name,
        standardName: cipher.standardName,
        secretBits: secretBits(cipher.standardName, cipher.name),
        ...verdict,
      });
    }
    if (entry.accepted) Object.assign(entry, judgeVersion(version));
  }

  const findings: string[] = [];
  for (const v of versions) {
    if (!v.accepted) continue;
    for (const r of v.reasons) findings.push(`${v.version} accepted: ${r}`);
    for (const c of v.ciphers) {
      if (c.strength !== 'strong')
        findings.push(`${v.version} ${c.name}: ${c.strength} (${c.reasons.join('; ')})`);
    }
  }
  return {
    target: { host: target.host, port: target.port, address, servername },
    versions,
    findings,
    connections,
    durationMs: Math.round(performance.now() - started),
  };
}
