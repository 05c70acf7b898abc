/**
 * /digest-auth/:qop/:user/:pass[/:algorithm[/:stale_after]]: HTTP Digest authentication
 * (RFC 7616) with MD5, SHA-256 and SHA-512, qop auth and auth-int, answering as httpbin does,
 * cookies included (httpbin tracks "stale after n uses" and the last failed nonce in cookies,
 * so clients that test stale-nonce handling against it work here too).
 *
 * Beyond httpbin, as RFC 7616 asks of a server: a nonce must be one this server issued
 * (HMAC-signed with a timestamp, so any replica sharing SESSION_SECRET accepts it) and younger
 * than NONCE_LIFETIME_MS; an expired nonce with a correct response gets `stale=TRUE` (§3.3),
 * so the client retries with the new nonce without asking the user again. The username must
 * be the route's (httpbin hashes whatever username the client sent), the algorithm the
 * challenge's, and opaque must come back unchanged.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { queryParam } from './params.js';

/**
 * httpbin's realm, kept: urllib's HTTPPasswordMgr and others look credentials up by realm, so
 * a client written against httpbin names this one.
 */
export const DIGEST_REALM = 'me@kennethreitz.com';
export const NONCE_LIFETIME_MS = 5 * 60_000;
export const DIGEST_ALGORITHMS = ['MD5', 'SHA-256', 'SHA-512'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];
type Qop = 'auth' | 'auth-int';

const NODE_HASH: Record<DigestAlgorithm, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512': 'sha512' };

export function digestHash(algorithm: DigestAlgorithm, data: string | Buffer): string {
  return createHash(NODE_HASH[algorithm]).update(data).digest('hex');
}

/** The auth-params of a `Digest k=v, k="quoted"` header (RFC 9110 §11.2), or undefined if not Digest. */
export function parseDigest(header: string | undefined): Record<string, string> | undefined {
  const m = /^Digest\s+(.*)$/is.exec(header ?? '');
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/gy;
  const rest = m[1]!;
  while (re.lastIndex < rest.length) {
    const match = re.exec(rest);
    if (match === null) break; // a malformed tail: keep what parsed
    params[match[1]!.toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!;
  }
  return params;
}

/** The response a client must send (RFC 7616 §3.4.1), from the password and the request. */
export function expectedResponse(
  algorithm: DigestAlgorithm,
  p: {
    username: string;
    realm: string;
    nonce: string;
    uri: string;
    qop?: string;
    nc?: string;
    cnonce?: string;
  },
  password: string,
  method: string,
  body: Buffer,
): string {
  const ha1 = digestHash(algorithm, `${p.username}:${p.realm}:${password}`);
  const a2 =
    p.qop === 'auth-int' ? `${method}:${p.uri}:${digestHash(algorithm, body)}` : `${method}:${p.uri}`;
  const ha2 = digestHash(algorithm, a2);
  return p.qop === undefined
    ? digestHash(algorithm, `${ha1}:${p.nonce}:${ha2}`)
    : digestHash(algorithm, `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}

/** Issues and checks nonces: `<time base36>.<random hex>.<HMAC of both>`, no server state. */
export class NonceKeeper {
  constructor(
    private readonly secret: Buffer,
    private readonly lifetimeMs = NONCE_LIFETIME_MS,
  ) {}

  private sign(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('hex').slice(0, 32);
  }

  issue(now = Date.now()): { nonce: string; opaque: string } {
    const body = `${now.toString(36)}.${randomBytes(12).toString('hex')}`;
    const nonce = `${body}.${this.sign(body)}`;
    return { nonce, opaque: this.sign(`opaque:${nonce}`) };
  }

  /** 'fresh', 'stale' (ours, but too old) or 'forged'. */
  check(nonce: string, opaque: string | undefined, now = Date.now()): 'fresh' | 'stale' | 'forged' {
    const parts = nonce.split('.');
    if (parts.length !== 3) return 'forged';
    const [time, random, mac] = parts as [string, string, string];
    if (!safeEqual(mac, this.sign(`${time}.${random}`))) return 'forged';
    if (opaque === undefined || !safeEqual(opaque, this.sign(`opaque:${nonce}`))) return 'forged';
    const age = now - Number.parseInt(time, 36);
    return age >= 0 && age <= this.lifetimeMs ? 'fresh' : 'stale';
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

interface Params {
  qop: string;
  user: string;
  pass: string;
  algorithm?: string;
  stale_after?: string;
}

export interface DigestOptions {
  /** Signs nonces; replicas that share it accept each other's. */
  nonceSecret: Buffer;
}

export async function digestRoutes(app: FastifyInstance, opts: DigestOptions): Promise<void> {
  const nonces = new NonceKeeper(opts.nonceSecret);
  const config = {
    summary:
      'Digest auth (RFC 7616): qop auth or auth-int, algorithm MD5, SHA-256 or SHA-512, stale after n uses',
    group: 'Auth',
  };
  const handler = (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) =>
    digestAuth(req, reply, nonces);
  app.get('/digest-auth/:qop/:user/:pass', { config }, handler);
  app.get('/digest-auth/:qop/:user/:pass/:algorithm', { config }, handler);
  app.get('/digest-auth/:qop/:user/:pass/:algorithm/:stale_after', { config }, handler);
}

function digestAuth(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply, nonces: NonceKeeper) {
  const { user, pass } = req.params;
  const algorithm: DigestAlgorithm = (DIGEST_ALGORITHMS as readonly string[]).includes(
    req.params.algorithm ?? '',
  )
    ? (req.params.algorithm as DigestAlgorithm)
    : 'MD5';
  const qop: Qop | undefined =
    req.params.qop === 'auth' || req.params.qop === 'auth-int' ? req.params.qop : undefined;
  const staleAfter = req.params.stale_after ?? 'never';
  const cookies = parseCookies(req.headers.cookie);
  const requireCookie = ['1', 't', 'true'].includes(
    (queryParam(req.query, 'require-cookie') ?? '').toLowerCase(),
  );
  const challenge = (stale: boolean) => {
    const { nonce, opaque } = nonces.issue();
    const qops = qop === undefined ? 'auth, auth-int' : qop;
    return reply
      .code(401)
      .header(
        'www-authenticate',
        `Digest realm="${DIGEST_REALM}", nonce="${nonce}", qop="${qops}", opaque="${opaque}", algorithm=${algorithm}, stale=${stale ? 'TRUE' : 'FALSE'}`,
      )
      .type('text/html; charset=utf-8');
  };
  const cookie = (name: string, value: string) => `${name}=${value}; Path=/`;

  const credentials = wellFormed(parseDigest(req.headers.authorization));
  if (credentials === undefined || (requireCookie && req.headers.cookie === undefined)) {
    return challenge(false)
      .header('set-cookie', [cookie('stale_after', staleAfter), cookie('fake', 'fake_value')])
      .send('');
  }
  if (requireCookie && cookies.fake !== 'fake_value') {
    return reply
      .code(403)
      .header('set-cookie', cookie('fake', 'fake_value'))
      .send({ errors: ['missing cookie set on challenge'] });
  }
  const failed = (stale: boolean) =>
    challenge(stale)
      .header('set-cookie', [
        cookie('stale_after', staleAfter),
        cookie('last_nonce', credentials.nonce),
        cookie('fake', 'fake_value'),
      ])
      .send('');
  // httpbin's stale rules: a nonce that already failed once, or "stale after" used up.
  if (
    (cookies.last_nonce !== undefined && credentials.nonce === cookies.last_nonce) ||
    cookies.stale_after === '0'
  )
    return failed(true);
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const right =
    credentials.username === user &&
    (credentials.algorithm ?? 'MD5').toUpperCase() === algorithm &&
    (qop === undefined || credentials.qop === qop) &&
    credentials.uri === req.url &&
    safeEqual(credentials.response, expectedResponse(algorithm, credentials, pass, req.method, body));
  if (!right) return failed(false);
  const age = nonces.check(credentials.nonce, credentials.opaque);
  if (age !== 'fresh') return failed(age === 'stale');
  const setCookies = [cookie('fake', 'fake_value')];
  if (cookies.stale_after !== undefined) {
    const left = Number.parseInt(cookies.stale_after, 10);
    setCookies.push(cookie('stale_after', Number.isNaN(left) ? 'never' : String(left - 1)));
  }
  return reply.header('set-cookie', setCookies).send({ authenticated: true, user });
}

interface Credentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  opaque?: string;
  algorithm?: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
}

/** As werkzeug accepts a Digest header: the five fields, and nc and cnonce when qop is there. */
function wellFormed(p: Record<string, string> | undefined): Credentials | undefined {
  if (!p) return undefined;
  const { username, realm, nonce, uri, response } = p;
  if (
    username === undefined ||
    realm === undefined ||
    nonce === undefined ||
    uri === undefined ||
    response === undefined
  )
    return undefined;
  if (p.qop !== undefined && (p.nc === undefined || p.cnonce === undefined)) return undefined;
  return { ...p, username, realm, nonce, uri, response };
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
