/**
 * The client side of Digest auth for the differential test: answer a server's challenge as
 * curl and requests do (RFC 7616 §3.4), so each server is sent the response its own nonce
 * calls for. curl and Python's urllib are the real clients in httpbin-digest.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';

const NODE_HASH: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512': 'sha512' };

export function challengeParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.matchAll(/([\w-]+)=(?:"([^"]*)"|([^\s,]*))/g))
    out[m[1]!.toLowerCase()] = m[2] ?? m[3]!;
  return out;
}

export interface Answer {
  user: string;
  password: string;
  method?: string;
  uri: string;
  body?: Buffer;
  /** Override what the client claims (for failure cases). */
  username?: string;
  qop?: 'auth' | 'auth-int';
}

export function authorization(challenge: string, a: Answer): string {
  const c = challengeParams(challenge);
  const algorithm = c.algorithm ?? 'MD5';
  const H = (s: string | Buffer) =>
    createHash(NODE_HASH[algorithm] ?? 'md5')
      .update(s)
      .digest('hex');
  const qop = a.qop ?? (c.qop?.split(',').map((q) => q.trim())[0] as 'auth' | 'auth-int' | undefined);
  const nc = '00000001';
  const cnonce = randomBytes(8).toString('hex');
  const username = a.username ?? a.user;
  const ha1 = H(`${username}:${c.realm}:${a.password}`);
  const method = a.method ?? 'GET';
  const ha2 = H(
    qop === 'auth-int' ? `${method}:${a.uri}:${H(a.body ?? Buffer.alloc(0))}` : `${method}:${a.uri}`,
  );
  const response = qop ? H(`${ha1}:${c.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : H(`${ha1}:${c.nonce}:${ha2}`);
  return [
    `Digest username="${username}"`,
    `realm="${c.realm}"`,
    `nonce="${c.nonce}"`,
    `uri="${a.uri}"`,
    ...(qop ? [`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`] : []),
    `response="${response}"`,
    `opaque="${c.opaque}"`,
    `algorithm=${algorithm}`,
  ].join(', ');
}
