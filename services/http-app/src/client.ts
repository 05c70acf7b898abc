/**
 * The chapter 9 client: node:http (the stdlib's http.client) with an http.Agent as the
 * keep-alive connection pool, the role urllib3 plays under Requests. Each request can report
 * its wire in the manner of `curl -v`: which connection it used, the request head exactly as
 * written to the socket, and the response head as received.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { classifyError, InvalidConfigError, NetworkError, TimeoutError } from '@fopnp/net';

export interface HttpClientOptions {
  /** Reuse connections (HTTP/1.1 keep-alive). @default true */
  keepAlive?: boolean;
  /** Per-request deadline. @default 10000 */
  timeoutMs?: number;
  /** Receives curl -v style lines (`* `, `> `, `< `) when set. */
  trace?: (line: string) => void;
}

export interface HttpResponse {
  httpVersion: string;
  status: number;
  statusMessage: string;
  /** Names and values alternating, as received. */
  rawHeaders: string[];
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** 1-based number of the connection this response came on. */
  connection: number;
  reusedConnection: boolean;
}

export interface RequestOptions {
  method?: string;
  headers?: [string, string][];
  body?: string | Buffer;
  /** Gunzip a gzip-encoded body (like curl --compressed). @default false */
  decompress?: boolean;
}

/** package.json's version, for the User-Agent and /openapi.json. */
export const HTTP_APP_VERSION = '0.1.0';
export const USER_AGENT = 'http-app/0.1 (fopnp)';

/** Parses "Name: value" as given to -H. */
export function parseHeaderArg(arg: string): [string, string] {
  const colon = arg.indexOf(':');
  const name = colon > 0 ? arg.slice(0, colon).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new InvalidConfigError('-H', `"${arg}" is not of the form "Name: value"`);
  }
  return [name, arg.slice(colon + 1).trim()];
}

export function parseHttpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidConfigError('URL', `"${raw}" is not a URL (try http://127.0.0.1:8000/get)`);
  }
  if (url.protocol !== 'http:')
    throw new InvalidConfigError('URL', `only http:// URLs are supported, got ${url.protocol}`);
  return url;
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly ids = new WeakMap<Socket, number>();
  private opened = 0;
  private sent = 0;

  constructor(private readonly options: HttpClientOptions = {}) {
    const keepAlive = options.keepAlive ?? true;
    // maxSockets 1 per host for sequential use: the pool's single connection is the point.
    this.agent = new http.Agent({ keepAlive, maxSockets: keepAlive ? 1 : Infinity });
  }

  /** Connections this client has opened so far. */
  get connectionsOpened(): number {
    return this.opened;
  }
  get requestsSent(): number {
    return this.sent;
  }

  request(target: string | URL, opts: RequestOptions = {}): Promise<HttpResponse> {
    const url = typeof target === 'string' ? parseHttpUrl(target) : target;
    const trace = this.options.trace;
    const headers: [string, string][] = [
      ['Host', url.host],
      ['User-Agent', USER_AGENT],
      ['Accept', '*/*'],
    ];
    for (const [name, value] of opts.headers ?? []) {
      const i = headers.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
      if (i >= 0) headers.splice(i, 1);
      headers.push([name, value]);
    }
    if (opts.decompress && !headers.some(([n]) => n.toLowerCase() === 'accept-encoding')) {
      headers.push(['Accept-Encoding', 'gzip']);
    }
    const where = `${url.hostname}:${url.port || 80}`;
    this.sent++;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    return new Promise<HttpResponse>((resolveOnce, rejectOnce) => {
      // http.request's `timeout` is an idle timeout: a body that trickles in (/drip) never
      // trips it. This timer is the whole request's deadline, as --timeout-ms promises.
      const deadline = setTimeout(() => {
        reject(new TimeoutError(`request to ${url.host}`, timeoutMs));
        req.destroy();
      }, timeoutMs);
      const resolve = (res: HttpResponse) => {
        clearTimeout(deadline);
        resolveOnce(res);
      };
      const reject = (err: Error) => {
        clearTimeout(deadline);
        rejectOnce(err);
      };
      const req = http.request(url, {
        method: opts.method ?? 'GET',
        agent: this.agent,
        headers: headers.flat() as unknown as http.OutgoingHttpHeaders,
        timeout: timeoutMs,
      });
      let connection = 0;
      req.on('socket', (socket: Socket) => {
        const known = this.ids.get(socket);
        if (known !== undefined) {
          connection = known;
          trace?.(`* Re-using existing connection #${known} with host ${url.host}`);
          return;
        }
        connection = ++this.opened;
        this.ids.set(socket, connection);
        trace?.(`*   Trying ${where}...`);
        socket.once('connect', () => {
          trace?.(
            `* Connected to ${url.hostname} (${socket.remoteAddress}) port ${socket.remotePort} (#${connection})`,
          );
        });
        socket.once('close', () => trace?.(`* Connection #${connection} to host ${url.host} closed`));
      });
      req.on('finish', () => {
        // The request head exactly as Node wrote it to the socket.
        const head = (req as unknown as { _header?: string })._header ?? '';
        for (const line of head.split('\r\n').slice(0, -1)) trace?.(line ? `> ${line}` : '>');
        if (opts.body) trace?.(`} [${Buffer.byteLength(opts.body)} bytes data]`);
      });
      req.on('timeout', () => req.destroy(new TimeoutError(`request to ${url.host}`, timeoutMs)));
      req.on('error', (err) => reject(classifyError(err, where)));
      req.on('response', (res) => {
        trace?.(`< HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}`);
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
          trace?.(`< ${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        trace?.('<');
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(classifyError(err, where)));
        res.on('end', () => {
          let body = Buffer.concat(chunks);
          if (opts.decompress && /gzip/i.test(String(res.headers['content-encoding'] ?? ''))) {
            try {
              body = gunzipSync(body);
            } catch (err) {
              // A throw here (an event handler) would crash the process with a stack trace.
              reject(
                new NetworkError(
                  `${url.host} sent Content-Encoding: gzip but the body is not gzip (${(err as Error).message}); retry without --compressed to see it`,
                  { cause: err },
                ),
              );
              return;
            }
          }
          const framing =
            res.headers['content-length'] !== undefined
              ? `Content-Length: ${res.headers['content-length']}`
              : /chunked/i.test(String(res.headers['transfer-encoding'] ?? ''))
                ? 'chunked'
                : 'connection close';
          trace?.(`* body: ${body.length} bytes, framed by ${framing}`);
          const keep = res.headers.connection?.toLowerCase() !== 'close' && this.options.keepAlive !== false;
          if (keep) trace?.(`* Connection #${connection} to host ${url.host} left intact`);
          resolve({
            httpVersion: res.httpVersion,
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            rawHeaders: res.rawHeaders,
            headers: res.headers,
            body,
            connection,
            reusedConnection: req.reusedSocket,
          });
        });
      });
      if (opts.body) req.end(opts.body);
      else req.end();
    });
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}
