/**
 * The differential test of issue 15: the same request to http-app and to the real httpbin
 * (Debian's python3-httpbin, beside it on loopback), comparing status, the headers that
 * matter and the bodies (JSON by value), after removing what is specific to a server. What
 * differs on purpose is listed below with its reason; a listed difference that no longer
 * differs fails too, so the list stays true.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './helpers.ts';
import { CASES } from './httpbin/cases.ts';
import { type Aspect, applies, type Case, type Deliberate, differences } from './httpbin/compare.ts';
import { authorization } from './httpbin/digest-flow.ts';
import { type Answer, type Exchange, exchange, type Httpbin, startHttpbin } from './httpbin/peer.ts';

const everyCase = () => true;
const statusOnly =
  (...codes: number[]) =>
  (c: Case) =>
    codes.some((n) => c.path.startsWith(`/status/${n}`));

const DELIBERATE: Deliberate[] = [
  {
    cases: everyCase,
    aspect: 'access-control-allow-credentials',
    reason:
      'the bank shares this origin and /cookies, /headers echo its session cookie: no credentialed cross-site reads',
  },
  {
    cases: (c) => c.path === '/get' && c.headers?.['X-Forwarded-For'] !== undefined,
    aspect: 'body',
    reason: 'X-Forwarded-For is believed (origin) only with TRUST_PROXY, and shown in headers as it arrived',
  },
  {
    cases: (c) => c.path.startsWith('/get?') && c.path.includes('%'),
    aspect: 'body',
    reason: 'url keeps the percent-escapes the client sent (werkzeug 2.2 shows them decoded, an IRI)',
  },
  {
    cases: (c) => c.method === 'POST' && c.path === '/get',
    aspect: 'content-type',
    reason: "errors (404, 405, 400) are JSON naming the problem, not Flask's HTML page",
  },
  {
    cases: (c) => c.method === 'POST' && c.path === '/get',
    aspect: 'body',
    reason: 'as above: a JSON error',
  },
  { cases: '/no/such', aspect: 'content-type', reason: 'a 404 is JSON naming the problem' },
  { cases: '/no/such', aspect: 'body', reason: 'a 404 is JSON naming the problem' },
  {
    cases: '/no/such',
    aspect: 'access-control-allow-origin',
    reason: 'a path that is no echo route gets no CORS headers',
  },
  { cases: '/status/abc', aspect: 'content-type', reason: 'a bad parameter is a JSON 400 naming it' },
  { cases: '/status/abc', aspect: 'body', reason: 'a bad parameter is a JSON 400 naming it' },
  {
    cases: (c) => c.body === '{not json',
    aspect: 'status',
    reason: 'a body labelled JSON that is not JSON is a 400 with the parse error (httpbin: 200, json null)',
  },
  { cases: (c) => c.body === '{not json', aspect: 'body', reason: 'as above' },
  {
    cases: statusOnly(402, 418),
    aspect: 'content-type',
    reason: 'a body says what it is (text/plain); httpbin sends these jokes without a Content-Type',
  },
  {
    cases: (c) => c.path.includes('example.org'),
    aspect: 'status',
    reason:
      'no open redirect: /redirect-to leaves this server only for hosts in REDIRECT_TO_HOSTS (400 otherwise)',
  },
  ...(['location', 'content-type', 'body'] as const).map(
    (aspect): Deliberate => ({
      cases: (c) => c.path.includes('example.org'),
      aspect,
      reason: 'as above: a JSON 400',
    }),
  ),
  {
    cases: (c) => c.path === '/post' && c.method !== 'POST',
    aspect: 'content-type',
    reason: 'a 405 is JSON naming the methods the route answers (Allow says the same as httpbin)',
  },
  { cases: (c) => c.path === '/post' && c.method !== 'POST', aspect: 'body', reason: 'as above' },
  {
    cases: (c) => c.path === '/delete' && c.method === 'POST',
    aspect: 'content-type',
    reason: 'a 405 is JSON naming the methods the route answers',
  },
  { cases: (c) => c.path === '/delete' && c.method === 'POST', aspect: 'body', reason: 'as above' },
  {
    cases: (c) => c.headers?.Authorization === 'Bearer abc',
    aspect: 'body',
    reason:
      "the token is all after 'Bearer ' (httpbin's lstrip('Bearer ') also eats a token's leading a, e, r, B)",
  },
  ...['/html', '/xml', '/deny', '/encoding/utf8', '/image'].map(
    (prefix): Deliberate => ({
      cases: (c) => c.path.startsWith(prefix) && c.headers?.Accept !== 'text/plain' && c.compare !== 'none',
      aspect: 'body',
      reason:
        'our own documents and pictures (same types, structure and negotiation; test/httpbin-documents.test.ts checks they are valid)',
    }),
  ),
  {
    cases: (c) =>
      /^(gzip|br|deflate)/.test(c.headers?.['Accept-Encoding'] ?? '') &&
      !/^\/(gzip|deflate|brotli)/.test(c.path),
    aspect: 'content-encoding',
    reason:
      'documents are compressed when Accept-Encoding allows (br, gzip, deflate by weight); httpbin never compresses them',
  },
  ...(['status', 'content-type', 'body'] as const).map(
    (aspect): Deliberate => ({
      cases: '/json',
      aspect,
      reason:
        "/json came in httpbin 0.9 (httpbin.org has it, Debian's 0.7.0 not): its slideshow shape, our values",
    }),
  ),
  ...(['status', 'content-type', 'body'] as const).map(
    (aspect): Deliberate => ({
      cases: '/base64/_-8',
      aspect,
      reason: 'bytes that are not UTF-8 are a JSON 400 naming the problem (httpbin: 500)',
    }),
  ),
  ...(['content-security-policy', 'x-content-type-options'] as const).flatMap((aspect) =>
    ['/base64/', '/response-headers'].map(
      (prefix): Deliberate => ({
        cases: (c) => c.path.startsWith(prefix),
        aspect,
        reason:
          "the URL chooses this content on the bank's origin: CSP sandbox and nosniff keep it from running script (and reading /cookies)",
      }),
    ),
  ),
  {
    cases: (c) => c.headers?.X_Under !== undefined,
    aspect: 'body',
    reason:
      "a header name with '_' is shown as it arrived (werkzeug drops it: it would collide with '-' in the WSGI environ)",
  },
  { cases: statusOnly(204), aspect: 'content-type', reason: 'a 204 has no content, so no Content-Type' },
];

const DEFAULT_HEADERS = { 'User-Agent': 'fopnp-differential/1', Accept: '*/*' };

function label(c: Case): string {
  return `${c.method ?? 'GET'} ${c.path}${c.headers ? ` ${JSON.stringify(c.headers)}` : ''}`;
}

describe('http-app answers as the real httpbin does', () => {
  let app: TestApp;
  let bin: Httpbin;
  beforeAll(async () => {
    [app, bin] = await Promise.all([startApp('sqlite', { maxDelaySeconds: 10 }), startHttpbin()]);
  });
  afterAll(async () => {
    await Promise.all([app?.close(), bin?.stop()]);
  });

  it.each(CASES.map((c) => [label(c), c] as const))('%s', async (_name, c) => {
    const ex = { ...c, headers: { ...DEFAULT_HEADERS, ...c.headers } };
    const [ours, theirs] = await Promise.all([exchange(app.url, ex), exchange(bin.url, ex)]);
    const diff = differences(c, { answer: ours, port: app.port }, { answer: theirs, port: bin.port });
    const listed = new Map<Aspect, string>(
      DELIBERATE.filter((d) => applies(d, c)).map((d) => [d.aspect, d.reason]),
    );
    const unexplained = Object.fromEntries([...diff].filter(([aspect]) => !listed.has(aspect)));
    expect(unexplained, 'differences from httpbin (ours, httpbin)').toEqual({});
    const stale = [...listed.keys()].filter((aspect) => !diff.has(aspect));
    expect(stale, 'listed as deliberate but no longer different').toEqual([]);
  });

  it("has a case for every route http-app declares (all but the book's /environ, /framing and /timeapp, and go-httpbin's /sse)", async () => {
    const doc = await (await fetch(`${app.url}/openapi.json`)).json();
    const patterns = Object.keys(doc.paths)
      .filter(
        (p) =>
          !p.startsWith('/environ') && !p.startsWith('/framing') && !p.startsWith('/timeapp') && p !== '/sse',
      )
      .map((p) => [p, new RegExp(`^${p.replace('{path}', '.+').replace(/\{\w+\}/g, '[^/]+')}$`)] as const);
    const paths = [...CASES.map((c) => c.path), ...FLOWS.map((f) => f.path)].map((p) => p.split('?')[0]!);
    expect(patterns.filter(([, re]) => !paths.some((p) => re.test(p))).map(([p]) => p)).toEqual([]);
  });

  /**
   * Digest auth takes two requests: the challenge, then the answer to that server's own nonce.
   * Each flow runs against both servers and the last answers are compared.
   */
  interface DigestFlow {
    name: string;
    path: string;
    password?: string;
    username?: string;
    qop?: 'auth' | 'auth-int';
    /** Cookies sent with the answer, from the challenge's Set-Cookie or given here. */
    cookies?: (challengeCookies: string[], nonce: string) => string | undefined;
    deliberate?: Partial<Record<Aspect, string>>;
  }
  const jar = (setCookies: string[]) => setCookies.map((c) => c.split(';')[0]).join('; ');
  const FLOWS: DigestFlow[] = [
    ...['MD5', 'SHA-256', 'SHA-512'].flatMap((alg) =>
      ['auth', 'auth-int'].map(
        (qop): DigestFlow => ({ name: `${qop} ${alg}`, path: `/digest-auth/${qop}/user/passwd/${alg}` }),
      ),
    ),
    { name: 'qop auth, default algorithm', path: '/digest-auth/auth/user/passwd' },
    {
      name: 'no qop named: both offered, client picks auth-int',
      path: '/digest-auth/any/user/passwd/MD5',
      qop: 'auth-int',
    },
    { name: 'unknown algorithm falls back to MD5', path: '/digest-auth/auth/user/passwd/SHA-1' },
    { name: 'wrong password', path: '/digest-auth/auth/user/passwd/SHA-256', password: 'wrong' },
    {
      name: 'a nonce that already failed is stale',
      path: '/digest-auth/auth/user/passwd/MD5',
      cookies: (set, nonce) => `${jar(set)}; last_nonce=${nonce}`,
    },
    {
      name: 'stale_after used up is stale',
      path: '/digest-auth/auth/user/passwd/MD5/0',
      cookies: (set) => jar(set),
    },
    {
      name: 'stale_after counts down',
      path: '/digest-auth/auth/user/passwd/MD5/3',
      cookies: (set) => jar(set),
    },
    {
      name: 'require-cookie with the cookies',
      path: '/digest-auth/auth/user/passwd/MD5?require-cookie=1',
      cookies: (set) => jar(set),
      deliberate: {
        status:
          'httpbin 0.7.0 answers any query string here with a 500 (check_digest_auth adds bytes to str on Python 3); here it works',
        body: 'as above',
        'content-type': 'as above',
        'set-cookie': 'as above',
      },
    },
    {
      name: 'require-cookie without them',
      path: '/digest-auth/auth/user/passwd/MD5?require-cookie=true',
      cookies: () => 'other=1',
    },
    {
      name: 'another username with the right password',
      path: '/digest-auth/auth/user/passwd/MD5',
      username: 'mallory',
      deliberate: {
        status:
          "the username must be the route's (httpbin hashes whatever username the client sends and lets it in)",
        body: 'as above: no {"authenticated": true}',
        'www-authenticate': 'as above: a new challenge',
        'content-type': 'as above',
        'set-cookie': 'as above: the failed nonce is remembered',
      },
    },
  ];

  async function digestFlow(base: string, f: DigestFlow): Promise<{ first: Answer; last: Answer }> {
    const first = await exchange(base, { path: f.path, headers: DEFAULT_HEADERS });
    const challenge = first.headers['www-authenticate'] ?? '';
    const nonce = /nonce="([^"]*)"/.exec(challenge)?.[1] ?? '';
    const cookie = f.cookies?.(first.setCookies, nonce);
    const ex: Exchange = {
      path: f.path,
      headers: {
        ...DEFAULT_HEADERS,
        Authorization: authorization(challenge, {
          user: 'user',
          username: f.username,
          password: f.password ?? 'passwd',
          uri: f.path,
          qop: f.qop,
        }),
        ...(cookie ? { Cookie: cookie } : {}),
      },
    };
    return { first, last: await exchange(base, ex) };
  }

  it.each(FLOWS.map((f) => [f.name, f] as const))('digest: %s', async (_name, f) => {
    const [ours, theirs] = await Promise.all([digestFlow(app.url, f), digestFlow(bin.url, f)]);
    const c: Case = { path: f.path };
    const everywhere = new Set(DELIBERATE.filter((d) => applies(d, c)).map((d) => d.aspect));
    const challenge = differences(
      c,
      { answer: ours.first, port: app.port },
      { answer: theirs.first, port: bin.port },
    );
    const unexplainedChallenge = [...challenge].filter(([aspect]) => !everywhere.has(aspect));
    expect(Object.fromEntries(unexplainedChallenge), 'the challenge differs (ours, httpbin)').toEqual({});
    const diff = differences(
      c,
      { answer: ours.last, port: app.port },
      { answer: theirs.last, port: bin.port },
    );
    const listed = new Set([...everywhere, ...Object.keys(f.deliberate ?? {})]);
    const unexplained = Object.fromEntries([...diff].filter(([aspect]) => !listed.has(aspect)));
    expect(unexplained, 'the answer differs (ours, httpbin)').toEqual({});
    expect(Object.keys(f.deliberate ?? {}).filter((a) => !diff.has(a as Aspect))).toEqual([]);
  });
});
