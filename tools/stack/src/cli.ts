#!/usr/bin/env node
/**
 * `pnpm stack up` / `pnpm stack smoke` / `pnpm stack status`: the whole stack on a machine
 * without Docker, as local processes, from the services' declarations and docker-compose.yml.
 * `pnpm stack smoke --compose` runs the same tour against compose's published ports.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  defineCommand,
  defineOptions,
  InvalidConfigError,
  NetworkError,
  runCli,
} from '@fopnp/net';
import { ensureBacking, ensurePostgresDatabase, type LocalServer } from './backing.js';
import { startBackingGroups } from './backing-groups.js';
import { pipelineUnits, startStackControl } from './control.js';
import {
  type DiscoveredService,
  discover,
  discoverCompose,
  healthPortOf,
  loadPackages,
  localProfiles,
  portsOf,
  profilesOf,
} from './discover.js';
import { runSmoke } from './smoke.js';
import { Supervisor } from './supervisor.js';

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
    'start every service as a local process, wait for health, print the table, stream logs; Ctrl-C stops all',
  options: defineOptions({
    ...common,
    readyTimeoutMs: {
      type: 'int',
      default: 60_000,
      min: 1000,
      description: 'how long each service may take to be ready',
    },
  }),
  async run({ values }) {
    const logger = createLogger('stack', { level: 'info' });
    const services = select(await discover(ROOT, values.profile), values.only);
    if (services.length === 0) throw new NetworkError('no built services found; run `pnpm build` first');
    const backing: LocalServer[] = await ensureBacking(
      services.flatMap((s) => s.manifest.needs),
      logger,
    );
    for (const svc of services) {
      if (svc.manifest.needs.includes('postgres') && svc.env.DATABASE_URL)
        ensurePostgresDatabase(svc.env.DATABASE_URL, logger);
    }
    const profileServers = await startBackingGroups(
      services.flatMap((s) => s.backing),
      logger,
    );
    const sup = new Supervisor(logger);
    // The lab's actions: a control endpoint on loopback over a few declared processes.
    const lab = services.find((s) => s.service === 'topology-lab');
    const units = lab ? pipelineUnits(services) : [];
    const control = units.length
      ? await startStackControl(units, logger, (line) => process.stdout.write(line))
      : undefined;
    let shuttingDown = false;
    const shutdown = async (code: number) => {
      if (shuttingDown) return;
      shuttingDown = true;
      process.stdout.write('\nstack: stopping services…\n');
      await Promise.all([sup.stopAll(), control?.stop()]);
      for (const s of [...profileServers, ...backing]) if (s.startedHere) s.stop?.();
      process.stdout.write('stack: stopped\n');
      process.exit(code);
    };
    process.on('SIGINT', () => void shutdown(0));
    process.on('SIGTERM', () => void shutdown(0));

    const entries = services.map((svc) => sup.start(svc, svc === lab && control ? control.env : {}));
    const states = await Promise.all(entries.map((e) => sup.waitReady(e, values.readyTimeoutMs)));
    const rows = [['SERVICE', 'CHAPTER', 'ADDRESSES', 'HEALTH', 'STATE']];
    services.forEach((svc, i) => {
      rows.push([
        svc.name,
        svc.manifest.chapter,
        addresses(svc),
        `http://127.0.0.1:${healthPortOf(svc)}/readyz`,
        states[i]!,
      ]);
    });
    for (const b of [...backing, ...profileServers]) {
      rows.push([
        b.name,
        '-',
        `127.0.0.1:${b.port}/tcp`,
        '-',
        b.startedHere ? 'started here' : 'already running',
      ]);
    }
    process.stdout.write(`\n${table(rows)}\n\n`);
    const bad = services.filter((_, i) => states[i] !== 'ready');
    if (bad.length) {
      process.stdout.write(`stack: not ready: ${bad.map((s) => s.name).join(', ')}\n`);
      await shutdown(1);
      return 1;
    }
    process.stdout.write(
      `stack: all ${services.length} services ready (profile ${values.profile}); try \`pnpm stack smoke\`; Ctrl-C stops everything\n`,
    );
    if (lab) {
      const actions = control
        ? `actions: ${units.map((u) => u.name).join(', ')} (control ${control.url})`
        : 'read-only';
      process.stdout.write(
        `stack: topology-lab on http://127.0.0.1:${portsOf(lab)[0]?.port}/ (${actions})\n`,
      );
    }
    await new Promise(() => {}); // until a signal
    return 0;
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

const status = defineCommand({
  description: 'list the services, their addresses and health URLs (no processes started)',
  options: common,
  async run({ values }) {
    const services = select(await discover(ROOT, values.profile), values.only);
    const rows = [['SERVICE', 'CHAPTER', 'ADDRESSES', 'HEALTH', 'NEEDS']];
    for (const svc of services) {
      rows.push([
        svc.name,
        svc.manifest.chapter,
        addresses(svc),
        `http://127.0.0.1:${healthPortOf(svc)}/readyz`,
        svc.manifest.needs.join(',') || '-',
      ]);
    }
    const packages = await loadPackages(ROOT);
    const local = localProfiles(packages);
    const composeOnly = profilesOf(packages).filter((p) => !local.includes(p));
    process.stdout.write(
      `${table(rows)}\n\nprofiles: ${local.join(', ')}${composeOnly.length ? `; compose only (several instances of a service): ${composeOnly.join(', ')}` : ''}\n`,
    );
    return 0;
  },
});

process.exitCode = await runCli({
  name: 'pnpm stack',
  description: 'The fopnp-ts stack as local processes (no Docker needed). Root: ' + join(ROOT),
  commands: { up, smoke, status },
});
