/**
 * The long-running mode (`rpc-gateway serve`): the RPC port, the gateway to the other
 * services, metrics for every call and every circuit, and readiness that reports
 * 'degraded' (still serving) while any downstream circuit is open.
 */
import { listen, type OptionValues, type RunningService, type ServiceContext } from '@fopnp/net';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Gateway } from './gateway/gateway.js';
import type { manifest } from './manifest.js';
import { createRpcServer } from './server.js';

type Config = OptionValues<(typeof manifest)['options']>;

export function gatewayFromConfig(
  config: Config,
  logger?: ServiceContext<(typeof manifest)['options']>['logger'],
) {
  return new Gateway(
    {
      zenAddress: config.zenAddress,
      farewellAddress: config.farewellAddress,
      cacheUrl: config.cacheUrl,
      tlsInspectorUrl: config.tlsInspectorUrl,
      amqpUrl: config.amqpUrl,
      queueExchange: config.queueExchange,
      breaker: {
        timeoutMs: config.callTimeoutMs,
        failureThreshold: config.breakerFailures,
        resetAfterMs: config.breakerResetMs,
      },
    },
    logger,
  );
}

export async function startService(
  ctx: ServiceContext<(typeof manifest)['options']>,
): Promise<RunningService> {
  const { config, logger, metrics } = ctx;
  const calls = new Counter({
    name: 'rpc_calls_total',
    help: 'RPC method calls by protocol, method and outcome (ok or fault)',
    labelNames: ['protocol', 'method', 'outcome'],
    registers: [metrics],
  });
  const seconds = new Histogram({
    name: 'rpc_call_seconds',
    help: 'Time to run one RPC method call',
    labelNames: ['protocol'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5],
    registers: [metrics],
  });
  const rejected = new Counter({
    name: 'rpc_requests_rejected_total',
    help: 'HTTP requests refused before any method ran, by reason',
    labelNames: ['reason'],
    registers: [metrics],
  });
  const circuit = new Gauge({
    name: 'rpc_gateway_circuit_open',
    help: '1 while the circuit breaker of a downstream service is open (calls fail at once)',
    labelNames: ['service'],
    registers: [metrics],
  });

  const gateway = config.gateway ? gatewayFromConfig(config, logger) : undefined;
  if (gateway) {
    for (const d of Object.values(gateway.downstreams)) {
      circuit.set({ service: d.service }, 0);
      d.onStateChange((s) => circuit.set({ service: d.service }, s === 'closed' ? 0 : 1));
    }
    ctx.health.addCheck('downstream-circuits', () => {
      const open = Object.entries(gateway.states()).filter(([, s]) => s.circuit !== 'closed');
      return open.length === 0
        ? 'ok'
        : { status: 'degraded', detail: `circuit not closed for ${open.map(([n]) => n).join(', ')}` };
    });
  }

  const { server } = createRpcServer({
    gateway,
    allowNone: config.allowNone,
    maxBodyBytes: config.maxBodyBytes,
    maxDepth: config.maxDepth,
    authTokens: config.authTokens,
    publicMethods: config.publicMethods,
    specExamples: config.specExamples,
    logger,
    onCall: (protocol, method, outcome, s) => {
      calls.inc({ protocol, method, outcome });
      seconds.observe({ protocol }, s);
    },
    onRejected: (reason) => rejected.inc({ reason }),
  });

  ctx.limitHttp(server);
  const port = await listen(server, config.port, config.host);
  logger.info(
    {
      port,
      xmlrpc: '/RPC2',
      jsonrpc: '/jsonrpc',
      gateway: Boolean(gateway),
      auth: config.authTokens.length > 0,
    },
    'RPC server listening',
  );

  return {
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await gateway?.close();
    },
  };
}
