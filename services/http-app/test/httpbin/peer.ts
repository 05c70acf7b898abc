/**
 * The real httpbin beside http-app: Debian's python3-httpbin (installed by ci/prereqs.sh)
 * served by werkzeug on a free loopback port, and one HTTP exchange helper that sends the
 * very same bytes to either server.
 */
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { type BackgroundProcess, startProcess } from '@fopnp/net/testing';

/** Debian's interpreter: apt put httpbin there, a pyenv `python3` first on PATH lacks it. */
export const DEBIAN_PYTHON = '/usr/bin/python3';
const PEER = fileURLToPath(new URL('../peers/httpbin_server.py', import.meta.url));

export interface Httpbin {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startHttpbin(): Promise<Httpbin> {
  const proc: BackgroundProcess = startProcess(DEBIAN_PYTHON, ['-u', PEER]);
  const m = await proc.waitForOutput(/listening on (\d+)/, 20_000);
  const port = Number(m[1]);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      await proc.stop('SIGTERM');
    },
  };
}

export interface Exchange {
  method?: string;
  /** Path and query, sent as is. */
  path: string;
  /** Sent in this order and spelling (node:http adds Host and Connection: close). */
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface Answer {
  status: number;
  /** Lower-case names; repeated headers joined with ", " except set-cookie (a list). */
  headers: Record<string, string>;
  setCookies: string[];
  /** As on the wire. */
  raw: Buffer;
  /** After undoing Content-Encoding. */
  body: Buffer;
}

/** One request on its own connection (no pooling, so both servers see the same headers). */
export function exchange(base: string, ex: Exchange): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: ex.method ?? 'GET',
        path: ex.path,
        headers: {
          ...(ex.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(ex.body)) } : {}),
          ...ex.headers,
        },
        agent: false,
        timeout: 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (k !== 'set-cookie' && v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers,
            setCookies: res.headers['set-cookie'] ?? [],
            raw,
            body: decode(raw, headers['content-encoding']),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${base}${ex.path} in 20 s`)));
    req.on('error', reject);
    req.end(ex.body);
  });
}

function decode(raw: Buffer, encoding: string | undefined): Buffer {
  if (raw.length === 0) return raw;
  switch (encoding) {
    case 'gzip':
      return gunzipSync(raw);
    case 'deflate':
      return inflateSync(raw);
    case 'br':
      return brotliDecompressSync(raw);
    default:
      return raw;
  }
}
