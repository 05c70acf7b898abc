/**
 * Host-key checking against an OpenSSH known_hosts file. The book's AllowAnythingPolicy
 * accepts any key, which is exactly what lets a man in the middle in; here an unknown
 * host is refused unless the caller chose OpenSSH's `accept-new`, and a changed key is
 * always refused, loudly.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ChangedHostKeyError, UnknownHostKeyError } from './errors.js';

export type HostKeyPolicy = 'strict' | 'accept-new';

interface Entry {
  patterns: string[] | null;
  hashed: { salt: Buffer; hash: Buffer } | null;
  keyType: string;
  key: string;
  line: number;
  marker?: string;
}

/** How known_hosts names a host: `host` for port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function fingerprint(keyBase64: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(keyBase64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

function parse(text: string): Entry[] {
  const out: Entry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: string | undefined;
    if (fields[0]?.startsWith('@')) marker = fields.shift();
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key) return;
    if (hosts.startsWith('|1|')) {
      const [, , salt, hash] = hosts.split('|');
      if (!salt || !hash) return; // malformed: skipped, as OpenSSH does, rather than failing every host
      out.push({
        patterns: null,
        hashed: { salt: Buffer.from(salt!, 'base64'), hash: Buffer.from(hash!, 'base64') },
        keyType,
        key,
        line: i + 1,
        marker,
      });
    } else {
      out.push({ patterns: hosts.split(','), hashed: null, keyType, key, line: i + 1, marker });
    }
  });
  return out;
}

function globMatch(pattern: string, name: string): boolean {
  // Only * and ? are wildcards in known_hosts patterns; brackets of [host]:port are literal.
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(name);
}

function matches(entry: Entry, name: string): boolean {
  if (entry.hashed) {
    const h = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return h.equals(entry.hashed.hash);
  }
  let matched = false;
  for (const p of entry.patterns ?? []) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) matched = true;
  }
  return matched;
}

export interface VerifyResult {
  status: 'known' | 'added';
  fingerprint: string;
}

/** Checks a presented key (type + base64 blob) for host:port against the file. */
export class KnownHosts {
  readonly path: string;

  /** `~/` at the start of `path` is the running user's home, as in OpenSSH. */
  constructor(
    path: string,
    readonly policy: HostKeyPolicy = 'strict',
  ) {
    this.path = path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
  }

  /**
   * Key types known_hosts holds for host:port (revoked and CA lines aside). The client asks
   * the server for these first, as OpenSSH does; otherwise a server with several host keys
   * may offer one of a type not recorded, and a recorded key of another type looks changed.
   */
  knownKeyTypes(host: string, port: number): string[] {
    const name = knownHostsName(host.toLowerCase(), port);
    const entries = existsSync(this.path) ? parse(readFileSync(this.path, 'utf8')) : [];
    const types = entries.filter((e) => e.marker === undefined && matches(e, name)).map((e) => e.keyType);
    return [...new Set(types)];
  }

  verify(host: string, port: number, keyType: string, keyBase64: string): VerifyResult {
    // OpenSSH lowercases the name before matching, which matters for hashed entries.
    const name = knownHostsName(host.toLowerCase(), port);
    const text = existsSync(this.path) ? readFileSync(this.path, 'utf8') : '';
    const entries = parse(text);
    const forHost = entries.filter((e) => e.marker !== '@cert-authority' && matches(e, name));
    const fp = fingerprint(keyBase64);
    if (forHost.some((e) => e.marker === '@revoked' && e.key === keyBase64)) {
      throw new ChangedHostKeyError(name, keyType, fp, this.path, 0, 'revoked');
    }
    const sameType = forHost.filter((e) => e.keyType === keyType && e.marker !== '@revoked');
    if (sameType.some((e) => e.key === keyBase64)) return { status: 'known', fingerprint: fp };
    const other = sameType[0] ?? forHost.find((e) => e.marker !== '@revoked');
    if (other) throw new ChangedHostKeyError(name, keyType, fp, this.path, other.line);
    if (this.policy !== 'accept-new') throw new UnknownHostKeyError(name, keyType, fp, this.path);
    mkdirSync(dirname(this.path), { recursive: true });
    // A file whose last line has no newline would otherwise swallow the new entry into it.
    const separator = text && !text.endsWith('\n') ? '\n' : '';
    appendFileSync(this.path, `${separator}${name} ${keyType} ${keyBase64}\n`, { mode: 0o600 });
    return { status: 'added', fingerprint: fp };
  }
}
