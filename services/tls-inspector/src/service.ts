/**
 * `tls-inspector serve`: the HTTP API on PORT and, unless DEMO_TLS_PORT=0, a demo TLS
 * server (certificate from DEMO_TLS_CERT/DEMO_TLS_KEY, or generated at start) so the local
 * stack has an endpoint to inspect. Health and metrics come from runService on HEALTH_PORT.
 */
import { InvalidConfigError, listen, type RunningService, type ServiceContext } from '@fopnp/net';
import { Counter, Gauge, Histogram } from 'prom-client';
import { AddressPolicy } from './address-policy.js';
import { createInspectorApi } from './api.js';
import { generateSelfSigned } from './demo-cert.js';
import { ConcurrencyLimit, RateLimit } from './limits.js';
import type { manifest } from './manifest.js';
import { loadCertAndKey } from './pem-files.js';
import { TestTlsServer } from './test-tls-server.js';

export type ServiceConfig = ServiceContext<(typeof manifest)['options']>['config'];

export interface StartedService extends RunningService {
  httpPort: number;
  demoTlsPort: number | null;
}

export async function startService(
  ctx: ServiceContext<(typeof manifest)['options']>,
): Promise<StartedService> {
  const { config, logger, metrics } = ctx;
  let policy: AddressPolicy;
  try {
    policy = new AddressPolicy({ allowPrivate: config.allowPrivate, allowCidrs: config.allowCidrs });
  } catch (err) {
    throw new InvalidConfigError('ALLOW_CIDRS', err instanceof Error ? err.message : String(err));
  }
  const concurrency = new ConcurrencyLimit(config.maxConcurrent);
  const rateLimit = new RateLimit(config.rateLimitPerMinute);

  const requests = new Counter({
    name: 'tls_inspector_requests_total',
    help: 'API requests by endpoint, HTTP status and error code',
    labelNames: ['endpoint', 'status', 'code'],
    registers: [metrics],
  });
  const duration = new Histogram({
    name: 'tls_inspector_request_duration_seconds',
    help: 'API request duration by endpoint',
    labelNames: ['endpoint'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [metrics],
  });
  new Gauge({
    name: 'tls_inspector_in_flight',
    help: 'inspections and scans running now',
    registers: [metrics],
    collect() {
      this.set(concurrency.inFlight);
    },
  });
  const demoClients = new Counter({
    name: 'tls_inspector_demo_handshakes_total',
    help: 'handshakes on the demo TLS server by outcome',
    labelNames: ['outcome'],
    registers: [metrics],
  });

  const api = createInspectorApi({
    policy,
    concurrency,
    rateLimit,
    connectTimeoutMs: config.connectTimeoutMs,
    handshakeTimeoutMs: config.handshakeTimeoutMs,
    scanTimeoutMs: config.scanTimeoutMs,
    logger,
    onResult(endpoint, status, code, seconds) {
      const known = endpoint === '/inspect' || endpoint === '/scan' || endpoint === '/' ? endpoint : 'other';
      requests.inc({ endpoint: known, status: String(status), code: code ?? '' });
      duration.observe({ endpoint: known }, seconds);
    },
  });

  let demo: TestTlsServer | undefined;
  let demoTlsPort: number | null = null;
  if (config.demoTlsPort !== 0) {
    const pair = config.demoTlsCert
      ? loadCertAndKey(config.demoTlsCert, config.demoTlsKey)
      : await generateSelfSigned(config.demoTlsNames);
    demo = new TestTlsServer({
      ...pair,
      greeting: (c) => `hello from the tls-inspector demo: ${c.protocol} ${c.cipher.name}`,
    });
    demo.on('client', (c) => {
      demoClients.inc({ outcome: 'ok' });
      logger.debug(
        { client: c.remoteAddress, protocol: c.protocol, cipher: c.cipher.name },
        'demo TLS handshake',
      );
    });
    demo.on('clientError', (e) => {
      demoClients.inc({ outcome: 'failed' });
      logger.debug(e, 'demo TLS handshake failed');
    });
    demoTlsPort = (await demo.listen(config.demoTlsPort, config.host)).port;
    logger.info(
      { demoTlsPort, certificate: config.demoTlsCert ?? `generated for ${config.demoTlsNames.join(', ')}` },
      'demo TLS server listening',
    );
    ctx.health.addCheck('demo-tls', () => (demo!.server.listening ? 'ok' : 'down'));
  }

  let httpPort: number;
  try {
    ctx.limitHttp(api);
    httpPort = await listen(api, config.port, config.host, { what: 'HTTP API' });
  } catch (err) {
    await demo?.close();
    throw err;
  }
  logger.info(
    { httpPort, allowPrivate: config.allowPrivate, allowCidrs: config.allowCidrs },
    'HTTP API listening: GET /inspect, GET /scan',
  );

  return {
    httpPort,
    demoTlsPort,
    async close() {
      await Promise.all([
        new Promise<void>((resolve) => {
          api.close(() => resolve());
          api.closeIdleConnections();
        }),
        demo?.close(),
      ]);
    },
  };
}
