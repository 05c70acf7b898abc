/**
 * Limits every HTTP server of a service gets (its main port and the health side port), so
 * idle or slow clients cannot take every file descriptor of the process:
 *
 * - a connection limit (`server.maxConnections`) kept below the process's descriptor limit;
 *   a connection past it is closed at once and counted (`fopnp_http_connections_refused_total`);
 * - timeouts that shed idle sockets before busy ones: an idle keep-alive socket goes after
 *   `idleTimeoutMs`, a socket that has not sent complete headers after `headersTimeoutMs`
 *   (408), a request body still arriving after `requestTimeoutMs`; near the limit, idle
 *   keep-alive sockets and sockets that never sent a byte are closed first
 *   (`fopnp_http_connections_shed_total`), so a new client finds room;
 * - the health port has limits of its own (`HEALTH_HTTP_LIMITS`), and the main port's cap
 *   leaves `FD_RESERVE` descriptors free, so probes still answer when the main port is full;
 * - a request with two `Host` headers is answered 400 (RFC 9112 §3.2);
 * - a client that half-closes its side after a complete request (`shutdown(SHUT_WR)`,
 *   `nc -N`) still gets its response (Node drops it unless `httpAllowHalfOpen`).
 */
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import type { Socket } from 'node:net';
import { Counter, Gauge, type Registry } from 'prom-client';
import { NET_ERRORS, NetError, writeHttpError } from './errors.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http-limit-defaults.js';
import type { Logger } from './logger.js';

export { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http-limit-defaults.js';

/** The health side port's limits: probes and scrapes are few, small and quick. */
export const HEALTH_HTTP_LIMITS: Readonly<HttpLimits> = {
  maxConnections: 64,
  headersTimeoutMs: 5_000,
  idleTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
};

/**
 * Descriptors a main HTTP port leaves free below the process's limit: the health port's 64,
 * connections to Redis/RabbitMQ/peers, files, stdio and Node's own.
 */
export const FD_RESERVE = 128;

/** How often Node checks the headers and request timeouts (its default, 30 s, lets them run late). */
const CHECK_INTERVAL_MS = 1_000;
/** Share of the limit past which idle sockets are shed. */
const SHED_AT = 0.9;
/** A socket that has sent nothing for this long is idle, and shed first near the limit. */
const SILENT_MS = 1_000;

/** The soft limit on open files of this process (Linux `/proc/self/limits`), if known. */
export function fdLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A main port's connection limit: what was asked, but at most the descriptor limit minus
 * `FD_RESERVE` (half the descriptors when that leaves too few), so the process keeps
 * descriptors for its health port and its backing connections.
 */
export function capToFdLimit(requested: number, limit: number | undefined = fdLimit()): number {
  if (limit === undefined) return requested;
  const room = limit - FD_RESERVE >= 32 ? limit - FD_RESERVE : Math.floor(limit / 2);
  return Math.max(1, Math.min(requested, room));
}

export interface LimitHttpOptions {
  /** Overrides of `DEFAULT_HTTP_LIMITS`. */
  limits?: Partial<HttpLimits>;
  /** Label of the server in the metrics ("main", "health"). @default 'main' */
  name?: string;
  /** Where the refused/shed counters and the open-connections gauge go. */
  metrics?: Registry;
  logger?: Logger;
  /** Cap `maxConnections` below the descriptor limit. @default true */
  capToFdLimit?: boolean;
}

const APPLIED = Symbol('fopnp.httpLimits');
type Limited = http.Server & { [APPLIED]?: { limits: HttpLimits } };

/** How many `Host` fields a request carried (Node keeps only the first in `req.headers`). */
function hostFields(raw: string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') n++;
  return n;
}

function metricsOf(registry: Registry) {
  const get = <M>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M) ?? make();
  return {
    refused: get(
      'fopnp_http_connections_refused_total',
      () =>
        new Counter({
          name: 'fopnp_http_connections_refused_total',
          help: 'Connections closed at once because the HTTP server held its maximum (HTTP_MAX_CONNECTIONS)',
          labelNames: ['server'],
          registers: [registry],
        }),
    ),
    shed: get(
      'fopnp_http_connections_shed_total',
      () =>
        new Counter({
          name: 'fopnp_http_connections_shed_total',
          help: 'Idle connections closed near the connection limit to make room for new clients',
          labelNames: ['server'],
          registers: [registry],
        }),
    ),
  };
}

/** Servers whose open connections the `fopnp_http_connections` gauge reports, by registry. */
const gauges = new WeakMap<Registry, Map<string, http.Server>>();

function openConnectionsGauge(registry: Registry, name: string, server: http.Server): void {
  let servers = gauges.get(registry);
  if (!servers) {
    const known = new Map<string, http.Server>();
    servers = known;
    gauges.set(registry, known);
    new Gauge({
      name: 'fopnp_http_connections',
      help: 'Open connections of each HTTP server of the service',
      labelNames: ['server'],
      registers: [registry],
      async collect() {
        for (const [label, srv] of known) {
          const count = await new Promise<number>((r) => srv.getConnections((_e, n) => r(n ?? 0)));
          this.set({ server: label }, count);
        }
      },
    });
  }
  servers.set(name, server);
}

/**
 * Applies the limits above to an HTTP server that is not listening yet (a `node:http`
 * server, or Fastify's `app.server`). Applying again updates the limits.
 */
export function limitHttpServer<S extends http.Server>(server: S, options: LimitHttpOptions = {}): S {
  const s = server as S & Limited;
  const requested = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const limits: HttpLimits = {
    ...requested,
    maxConnections:
      options.capToFdLimit === false ? requested.maxConnections : capToFdLimit(requested.maxConnections),
  };
  s.maxConnections = limits.maxConnections;
  s.headersTimeout = limits.headersTimeoutMs;
  s.requestTimeout = limits.requestTimeoutMs;
  s.keepAliveTimeout = limits.idleTimeoutMs;
  // Read by Node when the server starts listening; its 30 s default lets a 10 s headers
  // timeout run to 40 s.
  // Both are plain properties of Node's http.Server that its types do not declare.
  const internals = s as unknown as { connectionsCheckingInterval: number; httpAllowHalfOpen: boolean };
  internals.connectionsCheckingInterval = Math.min(CHECK_INTERVAL_MS, limits.headersTimeoutMs);
  // Node's HTTP server ends the socket (and drops the pending response) when the client
  // half-closes; the book's clients do exactly that after a complete request.
  internals.httpAllowHalfOpen = true;
  if (s[APPLIED]) {
    s[APPLIED].limits = limits;
    return server;
  }
  const state = { limits };
  s[APPLIED] = state;
  const label = options.name ?? 'main';
  const counters = options.metrics ? metricsOf(options.metrics) : undefined;
  if (options.metrics) openConnectionsGauge(options.metrics, label, server);

  const sockets = new Set<Socket & { connectedAt?: number }>();
  let lastShed = 0;
  let lastWarned = 0;
  const shed = () => {
    const now = Date.now();
    if (now - lastShed < 100) return;
    lastShed = now;
    const open = () => [...sockets].filter((x) => !x.destroyed).length;
    const before = open();
    // Idle keep-alive connections (between requests), then sockets that never sent a byte.
    server.closeIdleConnections();
    for (const sock of sockets)
      if (sock.bytesRead === 0 && now - (sock.connectedAt ?? now) >= SILENT_MS) sock.destroy();
    // Both destroy at once; the sockets' 'close' (which removes them from the set) comes later.
    const closed = before - open();
    if (closed > 0) counters?.shed.inc({ server: label }, closed);
    if (before > 0 && now - lastWarned > 10_000) {
      lastWarned = now;
      options.logger?.warn(
        { server: label, connections: before, shed: closed, maxConnections: state.limits.maxConnections },
        'HTTP connections near the limit: shedding idle ones (raise HTTP_MAX_CONNECTIONS if the clients are real)',
      );
    }
  };
  server.on('connection', (sock: Socket & { connectedAt?: number }) => {
    sock.connectedAt = Date.now();
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
    if (sockets.size >= state.limits.maxConnections * SHED_AT) shed();
  });
  server.on('drop', () => {
    counters?.refused.inc({ server: label });
    shed();
  });

  // Every request handler behind one guard: a request with two Host fields is refused
  // before any handler (or framework) sees it.
  const handlers = server.listeners('request') as ((...a: unknown[]) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (hostFields(req.rawHeaders) > 1) {
      writeHttpError(
        res,
        new NetError(NET_ERRORS.codes.BAD_REQUEST, 'a request must carry one Host header (RFC 9112 §3.2)'),
        { connection: 'close' },
      );
      return;
    }
    for (const h of handlers) h.call(server, req, res);
  });
  return server;
}
