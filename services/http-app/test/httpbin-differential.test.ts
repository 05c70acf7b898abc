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
import { exchange, type Httpbin, startHttpbin } from './httpbin/peer.ts';

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
  {
    cases: '/no/such',
    aspect: 'access-control-allow-origin',
    reason: 'a path that is no echo route gets no CORS headers',
  },
  { cases: '/no/such', aspect: 'body', reason: 'a 404 is JSON naming the problem' },
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
      cases: (c) => c.path.startsWith(prefix) && c.headers?.Accept !== 'text/plain',
      aspect: 'body',
      reason:
        'our own documents and pictures (same types, structure and negotiation; test/httpbin-documents.test.ts checks they are valid)',
    }),
  ),
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
});
