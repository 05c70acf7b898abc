/**
 * The HTTP API of service mode: list the declared jobs, run one by name. Every call needs
 * the bearer token. Created here, listened on by service.ts (never at import time).
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { httpErrorOf, type Logger, type NetError, writeHttpError } from '@fopnp/net';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { SshTarget } from './connection.js';
import { parseTarget } from './connection.js';
import { JobRequestError, UndeclaredError } from './errors.js';
import { type ExecOptions, type HostResult, runOnHosts, succeeded } from './exec.js';
import type { JobsConfig } from './jobs.js';

export interface RunnerServerOptions {
  jobs: JobsConfig;
  /** Unset: every call is refused (503), so a forgotten token never means an open runner. */
  apiToken: string | undefined;
  exec: Omit<ExecOptions, 'onStdout' | 'onStderr'>;
  defaults: { user: string; port: number };
  logger: Logger;
  metrics?: Registry;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function createRunnerServer(opts: RunnerServerOptions): http.Server {
  const registers = opts.metrics ? [opts.metrics] : [];
  const runs = new Counter({
    name: 'ssh_runner_host_runs_total',
    help: 'commands run per host, by outcome (ok, failed, error)',
    labelNames: ['host', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: 'ssh_runner_host_duration_seconds',
    help: 'time from connect to exit per host',
    labelNames: ['host'],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const refused = new Counter({
    name: 'ssh_runner_refused_total',
    help: 'API calls refused, by reason',
    labelNames: ['reason'],
    registers,
  });

  const targetsOf = (group: string): SshTarget[] =>
    opts.jobs.hostGroups[group]!.map((h) => parseTarget(h, opts.defaults));

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body, null, 2)}\n`);
    };
    // The one JSON error body; an undeclared name also lists what is declared.
    const fail = (err: NetError) => {
      const { statusCode, body } = httpErrorOf(err);
      return send(statusCode, err instanceof UndeclaredError ? { ...body, declared: err.declared } : body);
    };
    // The request target is the client's: an absolute-form URL with a bad host, or a bad
    // %-escape in a name, is that client's 400, not an exception that ends the process.
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return fail(new JobRequestError('MALFORMED_TARGET'));
    }
    if (opts.apiToken === undefined) {
      refused.inc({ reason: 'no-token-configured' });
      return fail(new JobRequestError('NO_API_TOKEN'));
    }
    if (!tokenMatches(req.headers.authorization, opts.apiToken)) {
      refused.inc({ reason: 'token' });
      res.setHeader('www-authenticate', 'Bearer');
      return fail(new JobRequestError('UNAUTHORIZED'));
    }
    if (req.method === 'GET' && url.pathname === '/jobs') {
      return send(200, opts.jobs);
    }
    const m = /^\/run\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m) return fail(new JobRequestError('NO_ROUTE'));
    if (req.method !== 'POST') return fail(new JobRequestError('METHOD_NOT_ALLOWED'));
    let group: string;
    let command: string;
    try {
      [group, command] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
    } catch {
      return fail(new JobRequestError('BAD_JOB_PATH'));
    }
    if (!Object.hasOwn(opts.jobs.hostGroups, group)) {
      refused.inc({ reason: 'undeclared' });
      return fail(new UndeclaredError('host group', group, Object.keys(opts.jobs.hostGroups)));
    }
    if (!Object.hasOwn(opts.jobs.commands, command)) {
      refused.inc({ reason: 'undeclared' });
      return fail(new UndeclaredError('command', command, Object.keys(opts.jobs.commands)));
    }
    req.resume();
    opts.logger.info({ group, command }, 'running job');
    const results: HostResult[] = await runOnHosts(targetsOf(group), opts.jobs.commands[command]!, opts.exec);
    for (const r of results) {
      runs.inc({ host: r.target, outcome: r.error ? 'error' : succeeded(r) ? 'ok' : 'failed' });
      duration.observe({ host: r.target }, r.durationMs / 1000);
    }
    const ok = results.every(succeeded);
    opts.logger.info(
      { group, command, ok, failed: results.filter((r) => !succeeded(r)).map((r) => r.target) },
      'job finished',
    );
    return send(200, { group, command, ok, results });
  };

  return http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // One request's failure (a host string in the jobs file parseTarget rejects, say) is
      // a 500 for that request; an unhandled rejection would end the whole runner.
      opts.logger.error({ err }, 'job request failed');
      writeHttpError(res, err);
    });
  });
}
