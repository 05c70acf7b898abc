/**
 * What "answers as httpbin does" means, as code: the aspects of two answers that must agree,
 * after removing what is specific to a server (its port in URLs and Host, dates, random
 * values), and the list of deliberate differences, each with its reason.
 */
import type { Answer, Exchange } from './peer.ts';

/** Headers a client of httpbin may act on; compared by value when either server sends one. */
export const HEADERS_THAT_MATTER = [
  'content-type',
  'content-encoding',
  'content-range',
  'accept-ranges',
  'location',
  'www-authenticate',
  'etag',
  'cache-control',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-max-age',
  'x-more-info',
  'content-security-policy',
  'x-content-type-options',
] as const;

export type Aspect = 'status' | 'body' | (typeof HEADERS_THAT_MATTER)[number] | 'set-cookie';

export interface Case extends Exchange {
  /** How bodies are compared: JSON values, exact bytes, byte count only, or not at all. */
  compare?: 'json' | 'jsonlines' | 'bytes' | 'length' | 'none';
  /** JSON paths (dot-separated) whose values are server-specific: each must match the pattern in both. */
  shape?: Record<string, RegExp>;
}

/** A difference on purpose: the aspect is not compared for the cases it names, for the reason given. */
export interface Deliberate {
  /** Which cases: a path prefix, or a test on the case. */
  cases: string | ((c: Case) => boolean);
  aspect: Aspect;
  reason: string;
}

export function applies(d: Deliberate, c: Case): boolean {
  return typeof d.cases === 'string' ? c.path.split('?')[0]!.startsWith(d.cases) : d.cases(c);
}

/** One server's answer with its own address replaced by SERVER, so two answers can be compared. */
export function normalize(text: string, port: number): string {
  return text.replaceAll(`127.0.0.1:${port}`, 'SERVER').replaceAll(`localhost:${port}`, 'SERVER');
}

function mediaType(v: string | undefined): string | undefined {
  // `charset=utf-8` is the one parameter the servers disagree on, and for JSON it is
  // redundant (RFC 8259 §8.1): compare the media type and any other parameters.
  return v
    ?.split(';')
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== 'charset=utf-8')
    .join('; ');
}

function getPath(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | null)?.[k], obj);
}

function setPath(obj: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<unknown>((o, k) => (o as Record<string, unknown> | null)?.[k], obj) as Record<
    string,
    unknown
  > | null;
  if (parent && typeof parent === 'object' && last in parent) parent[last] = value;
}

export interface Side {
  answer: Answer;
  port: number;
}

/** The aspects on which the two answers differ, each with both values (after normalizing). */
export function differences(c: Case, ours: Side, theirs: Side): Map<Aspect, [unknown, unknown]> {
  const out = new Map<Aspect, [unknown, unknown]>();
  if (ours.answer.status !== theirs.answer.status)
    out.set('status', [ours.answer.status, theirs.answer.status]);
  for (const name of HEADERS_THAT_MATTER) {
    let a: string | undefined = ours.answer.headers[name];
    let b: string | undefined = theirs.answer.headers[name];
    if (a === undefined && b === undefined) continue;
    if (name === 'content-type') [a, b] = [mediaType(a), mediaType(b)];
    if (name === 'www-authenticate') [a, b] = [challengeShape(a), challengeShape(b)];
    if (name === 'etag' && c.shape?.['header.etag']) {
      const re = c.shape['header.etag'];
      [a, b] = [re.test(a ?? '') ? 'shape' : a, re.test(b ?? '') ? 'shape' : b];
    }
    a = a === undefined ? a : normalize(a, ours.port);
    b = b === undefined ? b : normalize(b, theirs.port);
    if (a !== b) out.set(name, [a, b]);
  }
  const cookies = (s: Side) => s.answer.setCookies.map((x) => cookieShape(normalize(x, s.port))).sort();
  if (JSON.stringify(cookies(ours)) !== JSON.stringify(cookies(theirs)))
    out.set('set-cookie', [cookies(ours), cookies(theirs)]);
  const how = c.compare ?? (/json/.test(theirs.answer.headers['content-type'] ?? '') ? 'json' : 'bytes');
  if (how === 'json') {
    const parse = (s: Side) => {
      const text = normalize(s.answer.body.toString('utf8'), s.port);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return { notJson: text };
      }
    };
    const [a, b] = [parse(ours), parse(theirs)];
    for (const [path, re] of Object.entries(c.shape ?? {})) {
      if (path.startsWith('header.')) continue;
      for (const v of [a, b])
        setPath(v, path, re.test(String(getPath(v, path))) ? '<shape ok>' : getPath(v, path));
    }
    if (JSON.stringify(sortKeys(a)) !== JSON.stringify(sortKeys(b))) out.set('body', [a, b]);
  } else if (how === 'jsonlines') {
    const lines = (side: Side) =>
      normalize(side.answer.body.toString('utf8'), side.port)
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.stringify(sortKeys(JSON.parse(l))));
    const [a, b] = [lines(ours), lines(theirs)];
    if (JSON.stringify(a) !== JSON.stringify(b)) out.set('body', [a, b]);
  } else if (how === 'bytes') {
    const [a, b] = [
      normalize(ours.answer.body.toString('latin1'), ours.port),
      normalize(theirs.answer.body.toString('latin1'), theirs.port),
    ];
    if (a !== b) out.set('body', [a.slice(0, 300), b.slice(0, 300)]);
  } else if (how === 'length') {
    if (ours.answer.body.length !== theirs.answer.body.length)
      out.set('body', [`${ours.answer.body.length} bytes`, `${theirs.answer.body.length} bytes`]);
  }
  return out;
}

/** A Set-Cookie line's name, value and attributes, lower-cased, without the values of dates. */
function cookieShape(line: string): string {
  return (
    line
      .split(';')
      .map((p) => p.trim())
      .filter((p) => p !== '')
      // Digest auth's last_nonce cookie holds the server's random nonce.
      .map((p, i) =>
        i === 0
          ? p.replace(/^last_nonce=.*/, "last_nonce=<server's>")
          : p.toLowerCase().replace(/^expires=.*/, 'expires'),
      )
      .sort((x, y) => (x.includes('=') && !y.includes('=') ? -1 : 0))
      .join('; ')
  );
}

/** A challenge's scheme and parameter names, with nonce and opaque values (random) removed. */
function challengeShape(v: string | undefined): string | undefined {
  if (v === undefined) return v;
  const scheme = v.split(' ')[0]!.toLowerCase();
  const params = [...v.matchAll(/([\w-]+)=("[^"]*"|[^,\s]*)/g)]
    .map(([, k, val]) => {
      const key = k!.toLowerCase();
      const value = val!.replace(/^"|"$/g, '');
      // nonce and opaque are each server's random values.
      if (key === 'nonce' || key === 'opaque') return `${key}=<server's>`;
      return `${key}=${value}`;
    })
    .sort();
  return [scheme, ...params].join(' ');
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}
