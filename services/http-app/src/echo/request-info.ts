/**
 * What a request carried, in httpbin's shapes. Plain functions over plain inputs so the
 * fastify routes and the bare node:http baseline of the benchmark compute the same JSON.
 */

/** The parts of a request the echo endpoints report. */
export interface RequestFacts {
  method: string;
  /** Request target as sent: path plus query. */
  url: string;
  /** Alternating names and values, in the order and case they came on the wire. */
  rawHeaders: readonly string[];
  /** Client address (behind a trusted proxy: the first X-Forwarded-For hop). */
  ip: string;
  protocol: 'http' | 'https';
  /** Host header value (host[:port]). */
  host: string;
  /** Query parameters if the framework already parsed them (with parseQuery). */
  args?: Args;
}

export type Args = Record<string, string | string[]>;

/**
 * Headers in httpbin's spelling (werkzeug's: `x-book` shows as `X-Book`), so a client written
 * against httpbin finds `headers['User-Agent']` whatever case it sent; repeated names joined
 * with "," as werkzeug joins them (RFC 9110 §5.3 allows either). The exact bytes on the wire are what /environ and `get -v` show.
 */
export function echoHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = titleCase(rawHeaders[i]!);
    const value = rawHeaders[i + 1]!;
    out[name] = name in out ? `${out[name]},${value}` : value;
  }
  return out;
}

/** Python's str.title(), as werkzeug spells header names: each run of letters capitalized. */
export function titleCase(name: string): string {
  let spelled = SPELLED.get(name);
  if (spelled === undefined) {
    spelled = name
      .toLowerCase()
      .replace(/(^|[^a-z])([a-z])/g, (_m, before: string, c: string) => before + c.toUpperCase());
    // The same few dozen names come on every request; a client inventing names cannot grow this.
    if (SPELLED.size < 512) SPELLED.set(name, spelled);
  }
  return spelled;
}
const SPELLED = new Map<string, string>();

/** Query parameters of a URL; a repeated name becomes a list, as httpbin shows it. */
export function parseArgs(url: string): Args {
  const q = url.indexOf('?');
  return q < 0 ? Object.create(null) : parseQuery(url.slice(q + 1));
}

/** A query string's parameters (fastify's querystringParser too, so it is parsed once). */
export function parseQuery(query: string): Args {
  const out: Args = Object.create(null);
  for (const [k, v] of new URLSearchParams(query)) addValue(out, k, v);
  return out;
}

/**
 * Add one value; a repeated key becomes a list, grown in place. (Copying the list on every
 * repeat made 40,000 repeats of one name cost 800 million copies: 8.4 s of CPU, issue 21.)
 * The lists belong to `into`: callers copy an Args before sharing its lists.
 */
export function addValue(into: Args, key: string, value: string): void {
  const prev = into[key];
  if (prev === undefined) into[key] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else into[key] = [prev, value];
}

export function absoluteUrl(facts: RequestFacts): string {
  return `${facts.protocol}://${facts.host}${facts.url}`;
}

/** The body of GET /get. */
export function getEcho(facts: RequestFacts) {
  return {
    args: facts.args ?? parseArgs(facts.url),
    headers: echoHeaders(facts.rawHeaders),
    origin: facts.ip,
    url: absoluteUrl(facts),
  };
}
