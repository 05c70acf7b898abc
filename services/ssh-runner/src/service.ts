/** Service mode: the HTTP job runner under the shared health/metrics/shutdown kit. */
import {
  InvalidConfigError,
  listen,
  type OptionValues,
  type RunningService,
  type ServiceContext,
} from '@fopnp/net';
import { defaultUser } from './connection.js';
import { loadJobs } from './jobs.js';
import { KnownHosts } from './known-hosts.js';
import type { manifest } from './manifest.js';
import { createRunnerServer } from './server.js';

type Config = OptionValues<typeof manifest.options>;

export async function startService(
  ctx: ServiceContext<typeof manifest.options>,
): Promise<RunningService & { port: number }> {
  const config: Config = ctx.config;
  if (config.apiToken !== undefined && config.apiToken.length < 16) {
    throw new InvalidConfigError('API_TOKEN', 'use a bearer token of at least 16 characters');
  }
  if (config.apiToken === undefined) {
    // Fail closed but stay up: health and metrics work, every API call is refused.
    ctx.logger.warn('API_TOKEN is not set: every API call will be refused with 503 until it is');
  }
  const jobs = loadJobs(config.jobsFile);
  const server = createRunnerServer({
    jobs,
    apiToken: config.apiToken,
    defaults: { user: defaultUser(config.user), port: config.sshPort },
    logger: ctx.logger,
    metrics: ctx.metrics,
    exec: {
      knownHosts: new KnownHosts(config.knownHosts, config.hostKeyPolicy),
      identityFile: config.identityFile,
      passphrase: config.keyPassphrase,
      password: config.password,
      timeoutMs: config.connectTimeoutMs,
      concurrency: config.concurrency,
      commandTimeoutSec: config.commandTimeoutSec,
    },
  });
  ctx.limitHttp(server);
  const port = await listen(server, config.port, config.host);
  ctx.logger.info(
    { port, hostGroups: Object.keys(jobs.hostGroups), commands: Object.keys(jobs.commands) },
    'ssh job runner listening',
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
