/**
 * /environ: the request as the book's wsgi_env.py shows it, a WSGI environment (PEP 3333)
 * printed with Python's pprint.pformat. The book's server (wsgiref) also copies the whole
 * os.environ of the server process into every environ it prints, secrets included; ours
 * shows only the CGI and wsgi.* keys a framework reads.
 */
import { lookup, lookupService } from 'node:dns/promises';
import { hostname } from 'node:os';
import type { RequestFacts } from './request-info.js';

export type PyValue = string | number | boolean | readonly [number, number] | { repr: string };

/** The WSGI environ of a request, keys as in PEP 3333. */
export function wsgiEnviron(
  facts: RequestFacts,
  server: { name: string; port: number; httpVersion: string },
): Record<string, PyValue> {
  const q = facts.url.indexOf('?');
  const path = q < 0 ? facts.url : facts.url.slice(0, q);
  const env: Record<string, PyValue> = {
    REQUEST_METHOD: facts.method,
    SCRIPT_NAME: '',
    PATH_INFO: safeDecode(path),
    QUERY_STRING: q < 0 ? '' : facts.url.slice(q + 1),
    // wsgiref's default when the request has none (email.message's get_content_type()).
    CONTENT_TYPE: 'text/plain',
    CONTENT_LENGTH: '',
    SERVER_NAME: server.name,
    SERVER_PORT: String(server.port),
    SERVER_PROTOCOL: `HTTP/${server.httpVersion}`,
    SERVER_SOFTWARE: 'fopnp-http-app fastify',
    GATEWAY_INTERFACE: 'CGI/1.1',
    REMOTE_ADDR: facts.ip,
    REMOTE_HOST: '',
    'wsgi.version': [1, 0],
    'wsgi.url_scheme': facts.protocol,
    'wsgi.input': { repr: '<_io.BufferedReader name=5>' },
    'wsgi.errors': { repr: "<_io.TextIOWrapper name='<stderr>' mode='w' encoding='utf-8'>" },
    'wsgi.file_wrapper': { repr: "<class 'wsgiref.util.FileWrapper'>" },
    'wsgi.multithread': false,
    'wsgi.multiprocess': false,
    'wsgi.run_once': false,
  };
  for (let i = 0; i + 1 < facts.rawHeaders.length; i += 2) {
    const name = facts.rawHeaders[i]!.toUpperCase().replace(/-/g, '_');
    const value = facts.rawHeaders[i + 1]!;
    // PEP 3333: Content-Type and Content-Length have no HTTP_ prefix.
    const key = name === 'CONTENT_TYPE' || name === 'CONTENT_LENGTH' ? name : `HTTP_${name}`;
    const prev = env[key];
    env[key] =
      typeof prev === 'string' && prev !== '' && key.startsWith('HTTP_') ? `${prev},${value}` : value;
  }
  return env;
}

const SERVER_NAMES = new Map<string, Promise<string>>();

/**
 * SERVER_NAME as wsgiref sets it: Python's socket.getfqdn() of the address the server is bound
 * to (a wildcard address: of the machine's hostname), so 'localhost' for 127.0.0.1 — not the
 * Host header. Looked up once per bound address (a server has one or two).
 */
export function serverNameOf(boundAddress: string): Promise<string> {
  let name = SERVER_NAMES.get(boundAddress);
  if (name === undefined) {
    name = getfqdn(boundAddress);
    SERVER_NAMES.set(boundAddress, name);
  }
  return name;
}

/** How long the reverse lookup may take (a container without reverse DNS can wait seconds). */
const LOOKUP_MS = 1000;

async function getfqdn(address: string): Promise<string> {
  const wildcard = address === '' || address === '0.0.0.0' || address === '::';
  const name = wildcard ? hostname() : address;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(name), LOOKUP_MS);
    timer.unref();
  });
  const looked = (async () => {
    try {
      const ip = wildcard ? (await lookup(name)).address : address;
      return (await lookupService(ip, 0)).hostname;
    } catch {
      return name; // getfqdn's answer when the reverse lookup fails
    }
  })();
  try {
    // The first /environ waits at most LOOKUP_MS; the name is cached either way.
    return await Promise.race([looked, late]);
  } finally {
    clearTimeout(timer);
  }
}

function safeDecode(s: string): string {
  try {
    // WSGI hands PATH_INFO over decoded, as latin-1 "bytes in a str".
    return Buffer.from(decodeURIComponent(s), 'utf8').toString('latin1');
  } catch {
    return s;
  }
}

/** Python's repr() of a str. */
export function pyStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

function pyRepr(v: PyValue): string {
  if (typeof v === 'string') return pyStr(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `(${v.join(', ')})`;
  return (v as { repr: string }).repr;
}

/** pprint.pformat(dict): sorted keys, one per line once the whole does not fit in 80 columns. */
export function pformat(obj: Record<string, PyValue>, width = 80): string {
  const items = Object.keys(obj)
    .sort()
    .map((k) => `${pyStr(k)}: ${pyRepr(obj[k]!)}`);
  const oneLine = `{${items.join(', ')}}`;
  if (oneLine.length <= width) return oneLine;
  return `{${items.join(',\n ')}}`;
}

export const ENVIRON_PREAMBLE = 'Here is the WSGI environment:\r\n\r\n';
