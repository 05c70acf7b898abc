/**
 * `pnpm stack up`: the stack as children it owns. Refuses to start over a running stack and
 * stops what a dead one left; every child runs in its own process group under a watchdog
 * (so they die with the stack even on SIGKILL), and the stack ends with its parent (SIGTERM
 * to `pnpm`); a crashed service is restarted with backoff; `.stack/run` is removed at the end.
 */
import { existsSync, rmSync } from 'node:fs';
import { type Logger, NetworkError } from '@fopnp/net';
import { ensureBacking, ensurePostgresDatabase, type LocalServer, portOpen } from './backing.js';
import { startBackingGroups } from './backing-groups.js';
import { labRedisEnv, pipelineUnits, startStackControl } from './control.js';
import { type DiscoveredService, healthPortOf, portOffset, portsOf } from './discover.js';
import { logDir } from './log-files.js';
import { defaultLogFormat, type LogFormat, useColor } from './log-format.js';
import {
  listenerOf,
  readRecord,
  removeRunFiles,
  runDir,
  stackAlive,
  stackDir,
  startTicks,
  stateDir,
  stopLeftovers,
  takeWatchdogNotes,
  watchdogFinished,
  watchdogLog,
  writeRecord,
} from './run-record.js';
import { SSH_DEMO_COMMANDS, startSshDemo } from './ssh-demo.js';
import { Supervisor } from './supervisor.js';
import { Watchdog } from './watchdog.js';

export interface UpOptions {
  root: string;
  profile: string;
  services: DiscoveredService[];
  readyTimeoutMs: number;
  logFormat: LogFormat | 'auto';
  logger: Logger;
  table: (rows: string[][]) => string;
  addresses: (svc: DiscoveredService) => string;
}

const say = (line: string) => process.stdout.write(`stack: ${line}\n`);

/** A stack already running here is an error; a dead one's leftovers are stopped, and said. */
export async function takeOver(root: string): Promise<void> {
  const previous = readRecord(root);
  if (previous && stackAlive(previous))
    throw new NetworkError(
      `a stack is already running here (pid ${previous.pid}, profile ${previous.profile}, since ${previous.startedAt}): \`pnpm stack status\` shows it, \`pnpm stack down\` stops it`,
    );
  if (previous) await watchdogFinished(previous);
  for (const note of takeWatchdogNotes(root)) say(`from the last run: ${note}`);
  if (previous) {
    const stopped = await stopLeftovers(previous);
    if (stopped.length)
      say(
        `the previous stack (pid ${previous.pid}) ended without stopping ${stopped.join(', ')}; stopped them now`,
      );
  }
  removeRunFiles(root);
}

/** The TCP ports the services are about to listen on, taken by someone else: named, with who holds them. */
async function takenPorts(services: DiscoveredService[]): Promise<string[]> {
  const out: string[] = [];
  for (const svc of services) {
    const ports = portsOf(svc).filter((p) => p.protocol === 'tcp');
    const health = healthPortOf(svc);
    const all = [
      ...ports.map((p) => ({ port: p.port, what: `${svc.name} ${p.name}` })),
      ...(health === undefined ? [] : [{ port: health, what: `${svc.name} health` }]),
    ];
    for (const { port, what } of all)
      if (await portOpen(port, '127.0.0.1', 500)) {
        const who = listenerOf(port);
        out.push(`${port} (${what})${who ? ` is held by ${who}` : ''}`);
      }
  }
  return out;
}

export async function up(o: UpOptions): Promise<number> {
  const { root, services, logger } = o;
  await takeOver(root);
  const taken = await takenPorts(services);
  if (taken.length)
    throw new NetworkError(
      `ports the stack needs are in use: ${taken.join('; ')}. Stop what holds them (\`pnpm stack down\` if it is a stack from another checkout or STACK_DIR)`,
    );
  const ticks = startTicks(process.pid);
  const watchdog = Watchdog.start(watchdogLog(root));
  const record = {
    pid: process.pid,
    ...(ticks ? { startTicks: ticks } : {}),
    profile: o.profile,
    startedAt: new Date().toISOString(),
    ...(watchdog.pid ? { watchdogPid: watchdog.pid } : {}),
    groups: [],
  };
  writeRecord(root, record);
  const backing: LocalServer[] = [];
  const format = o.logFormat === 'auto' ? defaultLogFormat() : o.logFormat;
  const sup = new Supervisor({
    watchdog,
    format,
    color: useColor(),
    readyTimeoutMs: o.readyTimeoutMs,
    onGroupsChanged: () => saveGroups(),
    logDir: logDir(stackDir(root)),
  });
  const saveGroups = () => {
    try {
      writeRecord(root, {
        ...record,
        groups: [
          ...sup.groups(),
          ...backing.flatMap((b) =>
            b.pgid ? [{ name: b.name, pgid: b.pgid, match: processNameOf(b.name) }] : [],
          ),
        ],
      });
    } catch (err) {
      // The watchdog still knows every child; only `down` from elsewhere loses sight of them.
      logger.warn({ err }, 'could not update the run record');
    }
  };
  let control: Awaited<ReturnType<typeof startStackControl>> | undefined;

  let shuttingDown = false;
  const shutdown = async (code: number, why?: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    process.stdout.write(`\nstack: stopping services${why ? ` (${why})` : ''}…\n`);
    await Promise.all([sup.stopAll(), control?.stop()]);
    for (const s of backing) if (s.startedHere) s.stop?.();
    watchdog.close();
    removeRunFiles(root);
    process.stdout.write('stack: stopped\n');
    process.exit(code);
  };
  // A closed stdout (`pnpm stack up | head`) must not end the stack before it stops its children.
  process.stdout.on('error', () => {});
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0, 'the terminal closed'));
  // The stack ends with whoever started it: `pnpm stack up` killed leaves the stack's node
  // process behind (pnpm's shell goes; we are re-parented), so that is noticed here.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown(1, `its parent process ${parent} is gone`);
  }, 1000).unref();

  try {
    const needs = [...new Set(services.flatMap((s) => s.needs))];
    if (needs.length) say(`checking ${needs.join(', ')}`);
    backing.push(
      ...(await ensureBacking(
        services.flatMap((s) => s.needs),
        logger,
        runDir(root),
      )),
    );
    for (const b of backing) if (b.pgid) watchdog.watch(b.pgid, b.name);
    for (const svc of services) {
      if (svc.needs.includes('postgres') && svc.env.DATABASE_URL)
        ensurePostgresDatabase(svc.env.DATABASE_URL, logger);
    }
    const groups = [...new Set(services.flatMap((s) => s.backing))];
    if (groups.length) say(`starting the profile's backing servers: ${groups.join(', ')}`);
    const profileServers = await startBackingGroups(groups, logger, runDir(root));
    backing.push(...profileServers);
    for (const b of profileServers) if (b.pgid) watchdog.watch(b.pgid, b.name);
    saveGroups();
  } catch (err) {
    await shutdownQuietly();
    throw err;
  }
  async function shutdownQuietly() {
    for (const s of backing) if (s.startedHere) s.stop?.();
    watchdog.close();
    removeRunFiles(root);
  }

  for (const svc of services)
    if (svc.overrides?.length)
      say(
        `${svc.name} takes from your environment: ${svc.overrides.map((k) => `${k}=${svc.env[k]}`).join(', ')}`,
      );
  // ssh-runner gets a host to run jobs on: a demo sshd of this run (unless JOBS_FILE is set).
  const runner = services.find((s) => s.service === 'ssh-runner');
  let runnerEnv: Record<string, string> = {};
  if (runner && !runner.env.JOBS_FILE) {
    const demo = await startSshDemo(runDir(root), portOffset(process.env));
    if (typeof demo === 'string') say(`ssh-runner gets no demo host, so no job can run: ${demo}`);
    else {
      backing.push(demo.server);
      if (demo.server.pgid) watchdog.watch(demo.server.pgid, demo.server.name);
      saveGroups();
      runnerEnv = demo.env;
      const api = portsOf(runner)[0]?.port;
      say(
        `ssh-runner runs jobs on a demo sshd at 127.0.0.1:${demo.server.port} (host group demo; commands ${Object.keys(SSH_DEMO_COMMANDS).join(', ')}): curl -X POST -H "authorization: Bearer ${runner.env.API_TOKEN ?? '$API_TOKEN'}" http://127.0.0.1:${api}/run/demo/uptime`,
      );
    }
  }
  const lab = services.find((s) => s.service === 'topology-lab');
  const units = lab ? pipelineUnits(services) : [];
  control = units.length
    ? await startStackControl(units, logger, (line) => process.stdout.write(line))
    : undefined;

  say(`starting ${services.length} service${services.length === 1 ? '' : 's'} (profile ${o.profile})`);
  const entries = services.map((svc) =>
    sup.start(svc, {
      ...(svc === lab ? labRedisEnv(services) : {}),
      ...(svc === lab && control ? control.env : {}),
      ...(svc === runner ? runnerEnv : {}),
    }),
  );
  const states = await sup.waitAllReady(entries, o.readyTimeoutMs);
  const rows = [['SERVICE', 'CHAPTER', 'ADDRESSES', 'HEALTH', 'STATE']];
  services.forEach((svc, i) => {
    rows.push([
      svc.name,
      svc.manifest.chapter,
      o.addresses(svc),
      `http://127.0.0.1:${healthPortOf(svc)}/readyz`,
      states[i]!,
    ]);
  });
  for (const b of backing)
    rows.push([
      b.name,
      '-',
      `127.0.0.1:${b.port}/tcp`,
      '-',
      b.startedHere ? 'started here' : 'already running',
    ]);
  process.stdout.write(`\n${o.table(rows)}\n\n`);
  const bad = services.filter((_, i) => states[i] !== 'ready');
  if (bad.length) {
    say(`not ready: ${bad.map((s) => s.name).join(', ')}`);
    await shutdown(1);
    return 1;
  }
  say(
    `all ${services.length} services ready (profile ${o.profile}); try \`pnpm stack smoke\`; Ctrl-C or \`pnpm stack down\` stops everything`,
  );
  if (lab) {
    const actions = control
      ? `actions: ${units.map((u) => u.name).join(', ')} (control ${control.url})`
      : 'read-only';
    say(`topology-lab on http://127.0.0.1:${portsOf(lab)[0]?.port}/ (${actions})`);
  }
  await new Promise(() => {}); // until a signal
  return 0;
}

/** Removes what services keep between runs (tally counts, the bank's SQLite file, …) and the last run's logs. */
export function removeState(root: string): string[] {
  const dirs = [stateDir(root), logDir(stackDir(root))].filter((d) => existsSync(d));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  return dirs;
}

/** What a backing server's process is called, to recognise it by (pid reuse) in the run record. */
function processNameOf(name: string): string {
  if (name === 'twemproxy') return 'nutcracker';
  if (name.startsWith('ssh-demo')) return 'sshd';
  return 'redis';
}
