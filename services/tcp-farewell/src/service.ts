/** `tcp-farewell serve`: the farewell protocol for many clients at once, with metrics. */
import { boundAddress, type Logger, listen, type RunningService, type ServiceContext } from '@fopnp/net';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { manifest } from './manifest.js';
import { closeServer, createFarewellServer, type FarewellEvents } from './server.js';

/** The counters `serve` exposes on /metrics. */
export function createFarewellMetrics(registry: Registry) {
  const registers = [registry];
  return {
    connections: new Counter({
      name: 'tcp_farewell_connections_total',
      help: 'Connections accepted',
      registers,
    }),
    active: new Gauge({ name: 'tcp_farewell_connections_active', help: 'Connections open now', registers }),
    farewells: new Counter({
      name: 'tcp_farewell_farewells_total',
      help: 'Greetings answered with the farewell',
      registers,
    }),
    bytesReceived: new Counter({
      name: 'tcp_farewell_received_bytes_total',
      help: 'Bytes read from clients',
      registers,
    }),
    bytesSent: new Counter({
      name: 'tcp_farewell_sent_bytes_total',
      help: 'Bytes sent to clients',
      registers,
    }),
    errors: new Counter({
      name: 'tcp_farewell_errors_total',
      help: 'Connections that went wrong, by kind (incomplete_read, timeout, connection_reset, extra_bytes, ...)',
      labelNames: ['kind'],
      registers,
    }),
  };
}

type FarewellMetrics = ReturnType<typeof createFarewellMetrics>;

/** "FOPNP_ERR_INCOMPLETE_READ" → "incomplete_read": a short, stable metric label. */
export function errorKind(code: string): string {
  return code.replace(/^FOPNP_ERR_/, '').toLowerCase();
}

function metricsEvents(metrics: FarewellMetrics, logger: Logger): FarewellEvents {
  return {
    accepted(conn) {
      metrics.connections.inc();
      metrics.active.inc();
      logger.debug({ peer: conn.peerName }, 'accepted');
    },
    replied() {
      metrics.farewells.inc();
    },
    extraBytes(conn, count) {
      metrics.errors.inc({ kind: 'extra_bytes' });
      logger.warn({ peer: conn.peerName, extraBytes: count }, 'client sent more than its 16-octet message');
    },
    failed(conn, err) {
      metrics.errors.inc({ kind: errorKind(err.code) });
      logger.warn({ peer: conn.peerName, code: err.code }, err.message);
    },
    closed(_conn, traffic) {
      metrics.active.dec();
      metrics.bytesReceived.inc(traffic.bytesRead);
      metrics.bytesSent.inc(traffic.bytesWritten);
    },
  };
}

/** Starts listening; `close()` stops accepting and waits for open connections to finish. */
export async function startService(ctx: ServiceContext<typeof manifest.options>): Promise<RunningService> {
  const { config, logger } = ctx;
  const metrics = createFarewellMetrics(ctx.metrics);
  const server = createFarewellServer({
    idleTimeoutMs: config.idleTimeoutMs,
    events: metricsEvents(metrics, logger),
  });
  await listen(server, config.port, config.host);
  const address = boundAddress(server);
  logger.info({ address: address.address, port: address.port }, 'farewell server listening');
  return { close: () => closeServer(server) };
}
