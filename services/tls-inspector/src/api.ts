/**
 * The HTTP API: GET /inspect and GET /scan return the CLI's reports as JSON. Every
 * request passes, in order: the per-client rate limit (429), parameter checks (400), the
 * concurrency cap (503), the address policy on the resolved addresses (403), then the
 * connection with its timeouts (504) and TLS errors (502).
 */
import http from 'node:http';
import net from 'node:net';
import { httpErrorOf, type Logger, silentLogger } from '@fopnp/net';
import type { AddressChecker } from './address-policy.js';
import {
  BadRequestError,
  BusyError,
  MethodNotAllowedError,
  NoRouteError,
  RateLimitedError,
} from './errors.js';
import { inspect } from './inspect.js';
import type { ConcurrencyLimit, RateLimit } from './limits.js';
import { scan } from './scan.js';

export interface InspectorApiOptions {
  policy: AddressChecker;
  concurrency: ConcurrencyLimit;
  rateLimit: RateLimit;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  scanTimeoutMs: number;
  logger?: Logger;
  /** Called once per request with its endpoint, HTTP status and duration (for metrics). */
  onResult?: (endpoint: string, status: number, code: string | null, seconds: number) => void;
}

const HOSTNAME = /^[A-Za-z0-9._-]{1,253}$/;

interface TargetQuery {
  host: string;
  port: number;
  servername?: string;
  /** The caller's budget: answer (504 if the target is silent) within this many ms. */
  timeoutMs?: number;
}

export function parseTargetQuery(params: URLSearchParams): TargetQuery {
  let host = params.get('host')?.trim() ?? '';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (!host)
    throw new BadRequestError('missing query parameter "host" (e.g. /inspect?host=example.com&port=443)');
  if (!net.isIP(host) && !HOSTNAME.test(host))
    throw new BadRequestError(
      `"host" is not a host name or IP address: ${JSON.stringify(host.slice(0, 80))}`,
    );
  const portText = params.get('port') ?? '443';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535)
    throw new BadRequestError(`"port" must be 1..65535, got ${JSON.stringify(portText.slice(0, 20))}`);
  const servername = params.get('servername')?.trim() || undefined;
  if (servername !== undefined && !HOSTNAME.test(servername))
    throw new BadRequestError('"servername" is not a host name');
  const timeoutText = params.get('timeoutMs');
  const timeoutMs = Number(timeoutText);
  if (timeoutText !== null && (!/^\d+$/.test(timeoutText) || timeoutMs < 1 || timeoutMs > 600_000))
    throw new BadRequestError(
      `"timeoutMs" must be 1..600000 (ms), got ${JSON.stringify(timeoutText.slice(0, 20))}`,
    );
  return {
    host,
    port,
    ...(servername ? { servername } : {}),
    ...(timeoutText !== null ? { timeoutMs } : {}),
  };
}

export function createInspectorApi(options: InspectorApiOptions): http.Server {
  const logger = options.logger ?? silentLogger();
  const server = http.createServer((req, res) => {
    const started = performance.now();
    // A request target such as `//` or `//[::1` is no valid URL: new URL() throws, and a
    // throw here would end the whole process. Such a request gets a 400 like any other.
    const url = URL.canParse(req.url ?? '/', 'http://localhost')
      ? new URL(req.url ?? '/', 'http://localhost')
      : null;
    const endpoint = url?.pathname ?? 'invalid';
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
      res.end(`${JSON.stringify(body, null, 2)}\n`);
      const code = status >= 400 ? ((body as { error?: { code?: string } }).error?.code ?? null) : null;
      options.onResult?.(endpoint, status, code, (performance.now() - started) / 1000);
    };
    const fail = (err: unknown, headers: Record<string, string> = {}) => {
      const { statusCode: status, body } = httpErrorOf(err);
      if (status >= 500 && status !== 502 && status !== 503 && status !== 504)
        logger.error({ err }, 'request failed');
      else
        logger.info(
          { endpoint, status, code: body.error.code, message: body.error.message },
          'request refused or target failed',
        );
      if (err instanceof RateLimitedError) headers['retry-after'] = String(err.retryAfterSeconds);
      if (err instanceof BusyError) headers['retry-after'] = '1';
      send(status, body, headers);
    };
    if (req.method !== 'GET') return fail(new MethodNotAllowedError(), { allow: 'GET' });
    if (!url)
      return fail(
        new BadRequestError(
          `request target is not a valid path: ${JSON.stringify((req.url ?? '').slice(0, 80))}`,
        ),
      );
    if (endpoint === '/') {
      return send(200, {
        service: 'tls-inspector',
        endpoints: {
          '/inspect?host=HOST&port=PORT&servername=NAME&timeoutMs=MS': 'one handshake, full report',
          '/scan?host=HOST&port=PORT&servername=NAME&timeoutMs=MS':
            'protocol versions and cipher suites accepted',
        },
      });
    }
    if (endpoint !== '/inspect' && endpoint !== '/scan') {
      return fail(new NoRouteError());
    }
    const run = async (): Promise<unknown> => {
      options.rateLimit.take(req.socket.remoteAddress ?? 'unknown');
      const { timeoutMs, ...target } = parseTargetQuery(url.searchParams);
      const callerDeadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
      const common = {
        policy: options.policy,
        connectTimeoutMs: options.connectTimeoutMs,
        handshakeTimeoutMs: options.handshakeTimeoutMs,
        ...(timeoutMs === undefined ? {} : { deadline: callerDeadline }),
      };
      return options.concurrency.run<unknown>(() =>
        endpoint === '/inspect'
          ? inspect(target, common)
          : scan(target, {
              ...common,
              deadline: Math.min(Date.now() + options.scanTimeoutMs, callerDeadline),
            }),
      );
    };
    run().then((report) => send(200, report), fail);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 120_000;
  return server;
}
