/**
 * The book's output: `say(title, *words)` pads the title with dots to 36 columns and wraps
 * the line at 70 with a four-space indent (Python's textwrap.fill), so reports line up.
 */
import type { InspectionReport } from './inspect.js';
import type { ScanReport } from './scan.js';
import type { ClientReport } from './test-tls-server.js';

const WIDTH = 70;

/** textwrap.fill(text, subsequent_indent='    ', break_long_words=False, break_on_hyphens=False) */
export function fill(text: string, width = WIDTH): string {
  const lead = /^\s*/.exec(text)![0];
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const indent = lines.length ? '    ' : lead;
    const candidate = line ? `${line} ${word}` : `${indent}${word}`;
    if (line && candidate.length > width) {
      lines.push(line);
      line = `    ${word}`;
    } else line = candidate;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

export function say(title: string, ...words: unknown[]): string {
  return fill(`${title.padEnd(36, '.')} ${words.map(String).join(' ')}`);
}

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}

/**
 * The report as the book's test_tls.py prints it, and more. `ciphersOffered` says what the
 * client offered when it is not what the book offers (its -C default is ALL).
 */
export function formatReport(r: InspectionReport, options: { ciphersOffered?: string } = {}): string {
  const lines = [
    say('Address we want to talk to', `${r.target.host} port ${r.target.port} (${r.target.address})`),
    say('Server name (SNI) sent', r.target.servername ?? 'none (IP address)'),
    say('Peer certificate', r.peerCertificate ? 'provided' : 'none'),
  ];
  if (r.peerCertificate) {
    lines.push(say('Name(s) on peer certificate', ...(r.names.length ? r.names : ['none'])));
    lines.push(
      say('Whether name(s) match the hostname', r.hostname.matches ? 'Yes' : (r.hostname.error ?? 'No')),
    );
  }
  lines.push(
    say('Protocol version negotiated', r.protocol ?? 'unknown'),
    say('Cipher chosen for this connection', r.cipher.name),
    say('Cipher defined in TLS version', r.cipher.version),
    say('Cipher key has this many bits', r.cipher.secretBits ?? 'unknown'),
    say('Compression algorithm in use', r.compression),
    ...(options.ciphersOffered ? [say('Ciphers offered', options.ciphersOffered)] : []),
    say('ALPN protocol negotiated', r.alpn ?? 'none'),
    say(
      'Ephemeral key exchange',
      r.ephemeralKey
        ? `${r.ephemeralKey.type}${r.ephemeralKey.name ? ` ${r.ephemeralKey.name}` : ''} (${r.ephemeralKey.size} bits)`
        : 'none (no forward secrecy)',
    ),
    say(
      'Certificate chain verified',
      r.verification.verified
        ? `yes (trusting ${r.verification.trust === 'ca-file' ? 'the -a CA file' : "Node's root CAs"})`
        : `no: ${r.verification.error}`,
    ),
  );
  for (const [i, c] of r.chain.entries()) {
    const label = `Certificate ${i}${i === 0 ? ' (leaf)' : c.selfSigned ? ' (root)' : ''}`;
    lines.push(
      say(label, c.subject),
      say('    issued by', c.issuer),
      say(
        '    valid until',
        c.notAfter,
        c.expired
          ? `(EXPIRED ${-c.daysLeft} days ago)`
          : c.notYetValid
            ? '(NOT YET VALID)'
            : `(${c.daysLeft} days left)`,
      ),
      say(
        '    key',
        `${c.key.type}${c.key.bits ? ` ${c.key.bits} bits` : ''}${c.key.curve ? ` ${c.key.curve}` : ''}`,
      ),
      say('    signature algorithm', c.signatureAlgorithm),
    );
  }
  lines.push(
    say(
      'OCSP stapled response',
      r.ocsp.stapled
        ? `present (${r.ocsp.bytes} bytes, ${r.ocsp.responseStatus ?? 'unparsed'}${r.ocsp.certStatus ? `, certificate ${r.ocsp.certStatus}` : ''}${r.ocsp.nextUpdate ? `, next update ${r.ocsp.nextUpdate}` : ''})`
        : 'none',
    ),
    say('Client certificate offered', yesNo(r.clientCertificateOffered)),
    say('Handshake took', `${r.timings.handshakeMs} ms (resolve and TCP connect ${r.timings.connectMs} ms)`),
  );
  for (const w of r.warnings) lines.push(say('WARNING', w));
  return `${lines.join('\n')}\n`;
}

export function formatScan(s: ScanReport): string {
  const lines = [
    say(
      'Address we want to talk to',
      `${s.target.host} port ${s.target.port} (${s.target.address ?? 'unresolved'})`,
    ),
  ];
  for (const v of s.versions) {
    const verdict = v.accepted
      ? `accepted${v.strength === 'strong' ? '' : ` (${v.strength}: ${v.reasons.join('; ')})`}`
      : `refused${v.error ? ` (${v.error})` : ''}`;
    lines.push(say(`Protocol ${v.version}`, verdict));
    for (const c of v.ciphers) {
      const flag = c.strength === 'strong' ? '' : ` ${c.strength.toUpperCase()}: ${c.reasons.join('; ')}`;
      lines.push(say(`    ${c.name}`, `${c.secretBits ?? '?'} bits${flag}`));
    }
  }
  lines.push(
    say('Weak or insecure findings', s.findings.length ? `${s.findings.length} (flagged above)` : 'none'),
  );
  lines.push(say('Connections made', `${s.connections} in ${s.durationMs} ms`));
  return `${lines.join('\n')}\n`;
}

export function formatClient(c: ClientReport): string {
  const lines = [
    say('Client has connected from address', `${c.remoteAddress} port ${c.remotePort}`),
    say('Server name (SNI) received', c.servername ?? 'none'),
    say('Peer certificate', c.clientCertificate ? 'provided' : 'none'),
  ];
  if (c.clientCertificate) {
    lines.push(say('Name(s) on peer certificate', ...(c.names.length ? c.names : ['none'])));
    lines.push(say('Client certificate verified', c.verified ? 'yes' : `no: ${c.verifyError}`));
  }
  lines.push(
    say('Protocol version negotiated', c.protocol ?? 'unknown'),
    say('Cipher chosen for this connection', c.cipher.name),
    say('Cipher defined in TLS version', c.cipher.version),
    say('Cipher key has this many bits', c.cipher.secretBits ?? 'unknown'),
    say('Compression algorithm in use', 'none'),
    say('ALPN protocol negotiated', c.alpn ?? 'none'),
  );
  return `${lines.join('\n')}\n`;
}

/** -v: the details of every certificate in the chain (the book pprints the peer's cert). */
export function formatCertificates(r: InspectionReport): string {
  const lines: string[] = [];
  for (const [i, c] of r.chain.entries()) {
    lines.push(
      '',
      say(`Certificate ${i} subject`, c.subject),
      say('    issuer', c.issuer),
      say('    subject alternative names', ...(c.subjectAltNames.length ? c.subjectAltNames : ['none'])),
      say('    serial number', c.serialNumber),
      say('    not before', c.notBefore),
      say('    not after', c.notAfter),
      say('    CA certificate', c.isCA ? 'yes' : 'no'),
      say('    self-signed', c.selfSigned ? 'yes' : 'no'),
      say('    SHA-256 fingerprint', c.sha256Fingerprint),
    );
  }
  return `${lines.join('\n')}\n`;
}
