#!/usr/bin/env node
/**
 * `pnpm stack up` / `smoke` / `status` / `down` / `reset`: the whole stack on a machine
 * without Docker, as local processes, from the services' declarations and docker-compose.yml.
 * `pnpm stack smoke --compose` runs the same tour against compose's published ports.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  defineCommand,
  defineOptions,
  HEALTH_PATHS,
  InvalidConfigError,
  NetworkError,
  runCli,
} from '@fopnp/net';
import {
  type DiscoveredService,
  discover,
  discoverCompose,
  healthPortOf,
  loadPackages,
  localProfiles,
  portsOf,
} from './discover.js';
import { stopStack } from './down.js';
import { logDir, loggedServices, printLogs } from './log-files.js';
import { readRecord, stackAlive, stackDir, stateDir } from './run-record.js';
import { runSmoke } from './smoke.js';
import { removeState, up as startUp } from './up.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const common = defineOptions({
  profile: {
    type: 'string',
    default: 'default',
    env: 'STACK_PROFILE',
    description:
      "default, or a profile the manifests' variants declare (`status` lists them); each service runs its variant of the profile, if it has one",
  },
  only: { type: 'list', description: 'start or check only these services (comma-separated names)' },
});

function select(all: DiscoveredService[], only: string[]): DiscoveredService[] {
  if (only.length === 0) return all;
  const unknown = only.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) {
    const known = all.map((s) => s.name).join(', ');
    throw new InvalidConfigError('--only', `unknown service(s): ${unknown.join(', ')}; known: ${known}`);
  }
  return all.filter((s) => only.includes(s.name));
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function addresses(svc: DiscoveredService): string {
  return portsOf(svc)
    .map((p) => `${p.name} 127.0.0.1:${p.port}/${p.protocol}`)
    .join(', ');
}

const up = defineCommand({
  description:
    'start every service as a local process the stack owns, wait for health, print the table, stream logs; Ctrl-C or `pnpm stack down` stops all',
  options: defineOptions({
    ...common,
    readyTimeoutMs: {
      type: 'int',
      default: 60_000,
      min: 1000,
      description: 'how long each service may take to be ready',
    },
    logFormat: {
      type: 'enum',
      env: 'STACK_LOG_FORMAT',
      choices: ['auto', 'pretty', 'json'],
      default: 'auto',
      description:
        "services' log lines: pretty (time, level, message, key=value) on a terminal, JSON otherwise (auto), or either on request; NO_COLOR turns colours off",
    },
  }),
  async run({ values }) {
    const logger = createLogger('stack', { level: 'info' });
    const services = select(await discover(ROOT, values.profile), values.only);
    if (services.length === 0) throw new NetworkError('no built services found; run `pnpm build` first');
    return startUp({
      root: ROOT,
      profile: values.profile,
      services,
      readyTimeoutMs: values.readyTimeoutMs,
      logFormat: values.logFormat,
      logger,
      table,
      addresses,
    });
  },
});

const smoke = defineCommand({
  description:
    "walk through every service once against the running stack (or, with --compose, compose's published ports); one line a check",
  options: defineOptions({
    ...common,
    compose: {
      type: 'boolean',
      default: false,
      description:
        'check the instances docker-compose.yml runs in --profile, through their published ports on 127.0.0.1, instead of the local processes',
    },
  }),
  async run({ values }) {
    const found = values.compose
      ? await discoverCompose(ROOT, values.profile)
      : await discover(ROOT, values.profile);
    const services = select(found, values.only);
    const results = await runSmoke(services, (r) =>
      process.stdout.write(
        `${r.outcome.toUpperCase().padEnd(4)}  ${r.service.padEnd(20)} ${r.check.padEnd(20)} ${r.detail} (${r.ms} ms)\n`,
      ),
    );
    const failed = results.filter((r) => r.outcome === 'fail').length;
    const passed = results.filter((r) => r.outcome === 'pass').length;
    const skipped = results.length - failed - passed;
    process.stdout.write(
      `smoke: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    );
    return failed || passed === 0 ? 1 : 0;
  },
});

/** Live health of one service: its /readyz answer now. */
async function liveState(svc: DiscoveredService): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${healthPortOf(svc)}${HEALTH_PATHS.readiness}`, {
      signal: AbortSignal.timeout(2000),
    });
    return res.status === 200 ? 'ready' : `not ready (${res.status})`;
  } catch {
    return 'down';
  }
}

const status = defineCommand({
  description:
    'whether a stack runs here, and each service: addresses, health URL, and its live readiness (nothing started)',
  options: common,
  async run({ values }) {
    const record = readRecord(ROOT);
    const running = record && stackAlive(record);
    const services = select(await discover(ROOT, running ? record.profile : values.profile), values.only);
    const states = await Promise.all(services.map(liveState));
    const rows = [['SERVICE', 'CHAPTER', 'ADDRESSES', 'HEALTH', 'NEEDS', 'STATE']];
    services.forEach((svc, i) => {
      rows.push([
        svc.name,
        svc.manifest.chapter,
        addresses(svc),
        `http://127.0.0.1:${healthPortOf(svc)}/readyz`,
        svc.needs.join(',') || '-',
        states[i]!,
      ]);
    });
    const local = localProfiles(await loadPackages(ROOT));
    const head = running
      ? `stack: running (pid ${record.pid}, profile ${record.profile}, since ${record.startedAt}); ${states.filter((s) => s === 'ready').length} of ${services.length} ready`
      : `stack: not running here${record ? ` (a dead stack's record, pid ${record.pid}: \`pnpm stack down\` cleans up)` : ''}`;
    process.stdout.write(`${head}\n\n${table(rows)}\n\nprofiles: ${local.join(', ')}\n`);
    return 0;
  },
});

const logs = defineCommand({
  description:
    "the services' log lines from .stack/logs (this run's, or the last run's), merged in time order; --follow keeps printing",
  options: defineOptions({
    only: common.only,
    lines: {
      type: 'int',
      short: 'n',
      default: 50,
      min: 0,
      description: 'lines of each service to show first',
    },
    follow: { type: 'boolean', short: 'f', description: 'keep printing new lines until Ctrl-C' },
    logFormat: {
      type: 'enum',
      env: 'STACK_LOG_FORMAT',
      choices: ['pretty', 'json'],
      default: 'pretty',
      description: 'pretty (time, level, message, key=value) or the JSON lines as written',
    },
  }),
  async run({ values }) {
    const dir = logDir(stackDir(ROOT));
    const have = loggedServices(dir);
    if (have.length === 0) {
      process.stdout.write(`stack: no logs yet (${dir}): \`pnpm stack up\` writes them\n`);
      return 1;
    }
    const unknown = values.only.filter((n) => !have.includes(n));
    if (unknown.length)
      throw new InvalidConfigError('--only', `no log of ${unknown.join(', ')}; logged: ${have.join(', ')}`);
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    await printLogs(dir, values.only.length ? values.only : have, {
      lines: values.lines,
      follow: values.follow,
      format: values.logFormat,
      signal: stop.signal,
    });
    return 0;
  },
});

const down = defineCommand({
  description:
    "stop the stack running here (from any terminal) and whatever a dead one left, and remove its run files (.stack/run: the backing groups' data)",
  options: defineOptions({}),
  async run() {
    await stopStack(ROOT);
    return 0;
  },
});

const reset = defineCommand({
  description:
    'down, then remove what the services kept between runs too (.stack/state: the tally count, the SQLite bank, …)',
  options: defineOptions({}),
  async run() {
    await stopStack(ROOT);
    const removed = removeState(ROOT);
    process.stdout.write(
      removed.length
        ? `stack: removed ${removed.join(', ')} (the services' state and last logs: the next up starts from nothing)\n`
        : `stack: no state to remove (${stateDir(ROOT)} does not exist)\n`,
    );
    return 0;
  },
});

process.exitCode = await runCli({
  name: 'pnpm stack',
  description: 'The fopnp-ts stack as local processes (no Docker needed). Root: ' + join(ROOT),
  commands: { up, smoke, status, logs, down, reset },
});
