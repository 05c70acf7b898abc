/** `udp-broadcaster serve`: answers requests, counts every datagram by source. */
import net from 'node:net';
import { type Logger, type RunningService, resolveAll, type ServiceContext } from '@fopnp/net';
import { Counter, type Registry } from 'prom-client';
import type { manifest } from './manifest.js';
import { isAscii } from './protocol.js';
import { bindSocket, closeSocket, createDatagramServer, type DatagramEvents } from './server.js';

/** Distinct `source` label values kept before the rest are counted as "other". */
export const MAX_SOURCE_LABELS = 256;

export function createDatagramMetrics(registry: Registry) {
  const registers = [registry];
  return {
    datagrams: new Counter({
      name: 'udp_broadcaster_datagrams_received_total',
      help: 'Datagrams received (broadcast or unicast), by source address',
      labelNames: ['source'],
      registers,
    }),
    bytes: new Counter({
      name: 'udp_broadcaster_received_bytes_total',
      help: 'Payload bytes received, by source address',
      labelNames: ['source'],
      registers,
    }),
    replies: new Counter({ name: 'udp_broadcaster_replies_sent_total', help: 'Replies sent', registers }),
    dropped: new Counter({
      name: 'udp_broadcaster_requests_dropped_total',
      help: 'Datagrams left unanswered on purpose (--drop / DROP_RATE)',
      registers,
    }),
    errors: new Counter({
      name: 'udp_broadcaster_errors_total',
      help: 'Problems by kind: non_ascii payloads, failed sends',
      labelNames: ['kind'],
      registers,
    }),
  };
}

type DatagramMetrics = ReturnType<typeof createDatagramMetrics>;

function metricsEvents(metrics: DatagramMetrics, logger: Logger): DatagramEvents {
  // Source addresses come from the network: cap the label set so a flood of spoofed
  // sources cannot grow the metrics without bound.
  const sources = new Set<string>();
  const label = (address: string) => {
    if (sources.has(address)) return address;
    if (sources.size >= MAX_SOURCE_LABELS) return 'other';
    sources.add(address);
    return address;
  };
  return {
    received(source, data, dropped) {
      const labels = { source: label(source.address) };
      metrics.datagrams.inc(labels);
      metrics.bytes.inc(labels, data.length);
      if (!isAscii(data)) metrics.errors.inc({ kind: 'non_ascii' });
      if (dropped) metrics.dropped.inc();
      logger.debug({ source: source.name, bytes: data.length, dropped }, 'datagram');
    },
    replied: () => metrics.replies.inc(),
    failed(err) {
      metrics.errors.inc({ kind: err.code.replace(/^FOPNP_ERR_/, '').toLowerCase() });
      logger.warn({ code: err.code }, err.message);
    },
  };
}

export async function startService(ctx: ServiceContext<typeof manifest.options>): Promise<RunningService> {
  const { config, logger } = ctx;
  const metrics = createDatagramMetrics(ctx.metrics);
  const address = net.isIP(config.host) ? config.host : (await resolveAll(config.host))[0]!.address;
  const socket = createDatagramServer({
    family: net.isIPv6(address) ? 6 : 4,
    dropRate: config.dropRate,
    events: metricsEvents(metrics, logger),
  });
  const bound = await bindSocket(socket, config.port, address);
  logger.info(
    { address: bound.address, port: bound.port, dropRate: config.dropRate },
    'listening for datagrams',
  );
  return { close: () => closeSocket(socket) };
}
