/**
 * The side port every service exposes: liveness, readiness and Prometheus metrics.
 * Kept on its own port so probes and scrapes never queue behind protocol traffic, and so
 * services that speak TCP or UDP (not HTTP) still have an HTTP face for orchestrators.
 */
import http from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { HEALTH_PATHS } from './health-paths.js';
import { HEALTH_HTTP_LIMITS, limitHttpServer } from './http-limits.js';
import { listen } from './listen.js';
import type { Logger } from './logger.js';

export { HEALTH_PATHS } from './health-paths.js';

export type CheckStatus = 'ok' | 'degraded' | 'down';
export interface CheckResult {
  status: CheckStatus;
  detail?: string;
}
/** A readiness check: 'degraded' keeps the service ready (it still answers), 'down' does not. */
export type ReadinessCheck = () => Promise<CheckResult | CheckStatus> | CheckResult | CheckStatus;

export interface HealthServerOptions {
  service: string;
  registry?: Registry;
  logger?: Logger;
  /** Add Node's default process metrics. @default true */
  defaultMetrics?: boolean;
}

export class HealthServer {
  readonly registry: Registry;
  private readonly server: http.Server;
  private readonly checks = new Map<string, ReadinessCheck>();
  private ready = false;
  private shuttingDown = false;

  constructor(private readonly options: HealthServerOptions) {
    this.registry = options.registry ?? new Registry();
    this.registry.setDefaultLabels({ service: options.service });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        options.logger?.error({ err }, 'health endpoint failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    // Its own connection limit and timeouts, below the main port's share of descriptors:
    // probes still answer when the main port is full.
    limitHttpServer(this.server, {
      name: 'health',
      limits: HEALTH_HTTP_LIMITS,
      metrics: this.registry,
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  /** Registers a named readiness check, evaluated on every /readyz. */
  addCheck(name: string, check: ReadinessCheck): this {
    this.checks.set(name, check);
    return this;
  }

  /** Ready means: started, not shutting down, and no check says 'down'. */
  setReady(ready: boolean): void {
    this.ready = ready;
  }

  /** From now on /readyz answers 503 so load balancers stop sending traffic. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  async evaluate(): Promise<{ ready: boolean; status: CheckStatus; checks: Record<string, CheckResult> }> {
    const checks: Record<string, CheckResult> = {};
    for (const [name, check] of this.checks) {
      try {
        const r = await check();
        checks[name] = typeof r === 'string' ? { status: r } : r;
      } catch (err) {
        checks[name] = { status: 'down', detail: err instanceof Error ? err.message : String(err) };
      }
    }
    const statuses = Object.values(checks).map((c) => c.status);
    const down = !this.ready || this.shuttingDown || statuses.includes('down');
    const status: CheckStatus = down ? 'down' : statuses.includes('degraded') ? 'degraded' : 'ok';
    return { ready: !down, status, checks };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'method not allowed' });
    switch (path) {
      case HEALTH_PATHS.liveness:
        return json(200, {
          status: 'ok',
          service: this.options.service,
          uptimeSeconds: Math.round(process.uptime()),
        });
      case HEALTH_PATHS.readiness: {
        const r = await this.evaluate();
        return json(r.ready ? 200 : 503, {
          status: this.shuttingDown ? 'shutting-down' : r.ready ? r.status : 'not-ready',
          service: this.options.service,
          checks: r.checks,
        });
      }
      case HEALTH_PATHS.metrics: {
        const body = await this.registry.metrics();
        res.writeHead(200, { 'content-type': this.registry.contentType });
        res.end(body);
        return;
      }
      default:
        return json(404, { error: `no such path; try ${Object.values(HEALTH_PATHS).join(', ')}` });
    }
  }

  /** Listens and resolves with the bound port (0 picks a free one). */
  listen(port: number, host = '0.0.0.0'): Promise<number> {
    return listen(this.server, port, host, 'health port');
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
