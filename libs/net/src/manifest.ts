/**
 * A service declares itself once: name, chapter, ports, options (with env vars and
 * defaults), health port and the backing services it needs. The CLI, the long-running
 * service, docker-compose.yml, the k8s manifests and the drift test all read this.
 *
 * This file and what it imports load no dependency (no pino, no prom-client): a CLI's
 * `--help` and the deployment generator read manifests through `@fopnp/net/cli`, and
 * `serveCommand` loads the service runtime (service.ts) only when `serve` runs.
 */

import { type Command, defineCommand } from './cli.js';
import { defineOptions, MAX_TIMER_MS, type OptionSpecs } from './config.js';
import type { DeployedValue, Deployment, ServiceCall } from './deployment.js';
import { HEALTH_PATHS } from './health-paths.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http-limit-defaults.js';
import { logOptions } from './log-options.js';
import type { RunningService, RunServiceOptions, ServiceContext } from './service.js';

export type BackingService = 'redis' | 'rabbitmq' | 'postgres';

export interface PortDeclaration {
  /** Short name used for the k8s port and compose comments, e.g. "farewell". */
  name: string;
  protocol: 'tcp' | 'udp';
  /** Key of the option that holds this port number. */
  option: string;
  /** Reachable from outside the cluster/compose network (published / Ingress). */
  public?: boolean;
}

export interface ServiceManifest<T extends OptionSpecs = OptionSpecs> {
  /** The name in compose, k8s and logs. */
  name: string;
  /** The book's chapter number(s), e.g. '3' or '9-11'. */
  chapter: string;
  description: string;
  /** argv after the program name that starts the long-running service, e.g. ['serve']. */
  command: string[];
  ports: PortDeclaration[];
  /** Key of the option holding the health/metrics side port. @default 'healthPort' */
  healthPortOption?: string;
  needs: BackingService[];
  /** Every option, including the common service ones from `serviceOptions`. */
  options: T;
  /** Other services it calls (compose depends_on, k8s NetworkPolicy egress). */
  calls?: ServiceCall[];
  /** How compose and k8s run it beyond its defaults: required values, state, scaling, variants. */
  deploy?: Deployment;
  /**
   * Env the local stack (tools/stack: every service a process on one machine's loopback)
   * sets on top of compose's, where one machine needs something else than a container.
   */
  localEnv?: Record<string, DeployedValue>;
}

/** Identity helper that checks a manifest's port options exist. */
export function defineService<const T extends OptionSpecs>(manifest: ServiceManifest<T>): ServiceManifest<T> {
  for (const p of manifest.ports) {
    const spec = manifest.options[p.option];
    if (spec?.type !== 'port')
      throw new Error(`${manifest.name}: port ${p.name} refers to missing port option ${p.option}`);
  }
  const health = manifest.options[manifest.healthPortOption ?? 'healthPort'];
  if (health?.type !== 'port') throw new Error(`${manifest.name}: no health port option`);
  const envs = new Set(Object.values(manifest.options).map((o) => o.env));
  const undeclared = (where: string, names: Iterable<string>) => {
    for (const name of names)
      if (!envs.has(name))
        throw new Error(`${manifest.name}: ${where} sets env ${name}, which no option declares`);
  };
  for (const c of manifest.calls ?? [])
    if (!manifest.options[c.option])
      throw new Error(`${manifest.name}: the call to ${c.service} names missing option ${c.option}`);
  const d = manifest.deploy;
  undeclared('deploy.env', Object.keys(d?.env ?? {}));
  undeclared('localEnv', Object.keys(manifest.localEnv ?? {}));
  if (d?.state) undeclared('deploy.state', [d.state.env]);
  const names = new Set([manifest.name]);
  for (const v of d?.variants ?? []) {
    if (names.has(v.name)) throw new Error(`${manifest.name}: two instances named ${v.name}`);
    names.add(v.name);
    if (v.profile === 'default')
      throw new Error(`${manifest.name}: variant ${v.name} must have a profile of its own`);
    undeclared(`variant ${v.name}`, Object.keys(v.env ?? {}));
    if (v.state) undeclared(`variant ${v.name}`, [v.state.env]);
  }
  return manifest;
}

/** Options every long-running service has: health port, log level, shutdown deadline. */
export function serviceOptions(defaultHealthPort: number) {
  return defineOptions({
    healthPort: {
      type: 'port',
      env: 'HEALTH_PORT',
      default: defaultHealthPort,
      description: `HTTP port for ${HEALTH_PATHS.liveness}, ${HEALTH_PATHS.readiness} and ${HEALTH_PATHS.metrics} (0 = any free port)`,
    },
    healthHost: {
      type: 'string',
      env: 'HEALTH_HOST',
      default: '0.0.0.0',
      description: 'address the health port binds',
    },
    ...logOptions('info'),
    shutdownTimeoutMs: {
      type: 'int',
      env: 'SHUTDOWN_TIMEOUT_MS',
      default: 10_000,
      min: 0,
      max: MAX_TIMER_MS,
      description: 'how long in-flight work may take after SIGTERM before the process exits anyway',
    },
  });
}

/**
 * The limits of a service's HTTP ports (see `limitHttpServer`): a service with an HTTP port
 * spreads these into its manifest's options beside `serviceOptions`; `ctx.limitHttp` applies
 * them (the defaults when a manifest has none). The health port has fixed limits.
 */
export function httpLimitOptions() {
  return defineOptions({
    httpMaxConnections: {
      type: 'int',
      env: 'HTTP_MAX_CONNECTIONS',
      default: DEFAULT_HTTP_LIMITS.maxConnections,
      min: 1,
      description:
        "connections the HTTP port holds at once (at most the process's file-descriptor limit minus 128; the health port holds 64); more are closed at once and counted in fopnp_http_connections_refused_total",
    },
    httpHeadersTimeoutMs: {
      type: 'int',
      env: 'HTTP_HEADERS_TIMEOUT_MS',
      default: DEFAULT_HTTP_LIMITS.headersTimeoutMs,
      min: 1,
      max: MAX_TIMER_MS,
      description: "time a client has to send a request's headers (then 408 and close)",
    },
    httpIdleTimeoutMs: {
      type: 'int',
      env: 'HTTP_IDLE_TIMEOUT_MS',
      default: DEFAULT_HTTP_LIMITS.idleTimeoutMs,
      min: 1,
      max: MAX_TIMER_MS,
      description: 'time an idle keep-alive connection is kept between requests',
    },
    httpRequestTimeoutMs: {
      type: 'int',
      env: 'HTTP_REQUEST_TIMEOUT_MS',
      default: DEFAULT_HTTP_LIMITS.requestTimeoutMs,
      min: 1,
      max: MAX_TIMER_MS,
      description: 'time a client has to send a whole request, body included',
    },
  });
}

/** The values of `httpLimitOptions` as the limits `limitHttpServer` takes. */
export function httpLimitsOf(
  config: Partial<Record<keyof ReturnType<typeof httpLimitOptions>, unknown>>,
): HttpLimits {
  const n = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  return {
    maxConnections: n(config.httpMaxConnections, DEFAULT_HTTP_LIMITS.maxConnections),
    headersTimeoutMs: n(config.httpHeadersTimeoutMs, DEFAULT_HTTP_LIMITS.headersTimeoutMs),
    idleTimeoutMs: n(config.httpIdleTimeoutMs, DEFAULT_HTTP_LIMITS.idleTimeoutMs),
    requestTimeoutMs: n(config.httpRequestTimeoutMs, DEFAULT_HTTP_LIMITS.requestTimeoutMs),
  };
}

/** Port number a manifest's declared port resolves to with its default config. */
export function defaultPort(manifest: ServiceManifest, option: string): number {
  const spec = manifest.options[option];
  if (spec?.type !== 'port' || spec.default === undefined)
    throw new Error(`${manifest.name}: no default for ${option}`);
  return spec.default;
}

export interface ServeCommandOptions<T extends OptionSpecs> {
  manifest: ServiceManifest<T>;
  /** Starts the service (listening, connected) and returns its handle; see `runService`. */
  start(ctx: ServiceContext<T>): Promise<RunningService>;
  /** The help line. @default "run the long-running service (<description>) with health and metrics" */
  description?: string;
}

/**
 * The `serve` command every service has: parses exactly `manifest.options`, runs the
 * service with `runService` and returns 0 once it is ready. It does not block: the
 * listening sockets keep the process alive, and SIGTERM/SIGINT (handled by `runService`)
 * close the service within the deadline and exit.
 */
export function serveCommand<const T extends OptionSpecs>(options: ServeCommandOptions<T>): Command<T, []> {
  const { manifest, start } = options;
  return defineCommand({
    description:
      options.description ?? `run the long-running service (${manifest.description}) with health and metrics`,
    options: manifest.options,
    async run({ values }) {
      // Loaded here, not at import: `--help` of a CLI never pays for pino and prom-client.
      const { runService } = await import('./service.js');
      await runService({ manifest, config: values as RunServiceOptions<T>['config'], start });
      return 0;
    },
  });
}

/** The book commands' `-p PORT` option, defaulting to the port the manifest declares in `option`. */
export function portOption(manifest: ServiceManifest, description: string, option = 'port') {
  return { type: 'port', short: 'p', default: defaultPort(manifest, option), description } as const;
}
