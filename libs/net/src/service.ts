/**
 * The service runtime: the health port, the logger, metrics and graceful shutdown around a
 * service's `start`. Manifests (defineService, serviceOptions, serveCommand) are in
 * manifest.ts, which loads none of this.
 */

import type http from 'node:http';
import type { Registry } from 'prom-client';
import type { OptionSpecs, OptionValues } from './config.js';
import { HealthServer } from './health.js';
import { HEALTH_PATHS } from './health-paths.js';
import { limitHttpServer } from './http-limits.js';
import { createLogger, type Logger } from './logger.js';
import { httpLimitsOf, type ServiceManifest } from './manifest.js';
import { onShutdown } from './shutdown.js';

export * from './manifest.js';

export interface ServiceContext<T extends OptionSpecs> {
  config: OptionValues<T>;
  logger: Logger;
  metrics: Registry;
  health: HealthServer;
  /**
   * Gives an HTTP server of the service (not yet listening; Fastify's `app.server` too) the
   * configured connection limit, timeouts, refused-connection metric, one-Host rule and
   * half-close handling (`limitHttpServer`). Every HTTP port a service opens goes through it.
   */
  limitHttp<S extends http.Server>(server: S, name?: string): S;
}

export interface RunningService {
  /** Stop accepting and finish in-flight work. */
  close(): Promise<void>;
}

export interface RunServiceOptions<T extends OptionSpecs> {
  manifest: ServiceManifest<T>;
  config: OptionValues<T> & {
    healthPort: number;
    healthHost: string;
    logLevel: string;
    shutdownTimeoutMs: number;
  };
  start(ctx: ServiceContext<T>): Promise<RunningService>;
  logger?: Logger;
  /** Install SIGTERM/SIGINT handlers. @default true */
  handleSignals?: boolean;
}

/**
 * Starts the health port, then the service, then marks it ready; on SIGTERM marks it not
 * ready, closes the service within the deadline and exits 0. Returns a handle for tests.
 */
export async function runService<T extends OptionSpecs>(
  opts: RunServiceOptions<T>,
): Promise<{ health: HealthServer; healthPort: number; logger: Logger; stop(): Promise<void> }> {
  const { manifest, config } = opts;
  const logger = opts.logger ?? createLogger(manifest.name, { level: config.logLevel });
  const health = new HealthServer({ service: manifest.name, logger });
  const healthPort = await health.listen(config.healthPort, config.healthHost);
  logger.info({ healthPort, paths: HEALTH_PATHS }, 'health endpoints listening');
  // The signal handlers go in before start(): a SIGTERM while the service is still starting
  // (a quick `docker stop`, a test) waits for it to finish starting, then closes it, instead
  // of Node's default action killing the process half-started.
  let starting: Promise<RunningService> | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      health.beginShutdown();
      const running = await starting?.catch(() => undefined);
      await running?.close();
      await health.close();
    })();
    return stopped;
  };
  if (opts.handleSignals !== false) {
    onShutdown(() => stop(), { deadlineMs: config.shutdownTimeoutMs, logger });
  }
  const limits = httpLimitsOf(config as Record<string, unknown>);
  const limitHttp = <S extends http.Server>(server: S, name = 'main') =>
    limitHttpServer(server, { limits, name, metrics: health.registry, logger });
  starting = opts.start({ config, logger, metrics: health.registry, health, limitHttp });
  try {
    await starting;
  } catch (err) {
    await health.close();
    throw err;
  }
  if (!stopped) {
    health.setReady(true);
    logger.info('ready');
  }
  return { health, healthPort, logger, stop };
}
