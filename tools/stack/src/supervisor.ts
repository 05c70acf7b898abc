/**
 * Runs services as child processes the stack owns: each in a process group of its own,
 * known to the watchdog (so they die with the stack, however it ends), its log lines shown
 * behind its name (readable on a terminal, JSON otherwise), its readiness waited on, a
 * crash after it was ready restarted with backoff (and said), and stopped with SIGTERM to
 * its group, then SIGKILL after a grace period.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { HEALTH_PATHS, sleep } from '@fopnp/net';
import { type DiscoveredService, healthPortOf } from './discover.js';
import { LogFile } from './log-files.js';
import { formatLine, type LogFormat } from './log-format.js';
import { groupAlive, killGroup, type Watchdog } from './watchdog.js';

const COLORS = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

export type RunState = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface Running {
  svc: DiscoveredService;
  child: ChildProcess;
  healthPort: number;
  /** Set once the current process has exited. */
  exitCode?: number | null;
  state: RunState;
  /** Crashes in a row since it was last up for `stableMs`. */
  crashes: number;
  /** Restarts done so far (all crashes). */
  restarts: number;
}

export interface SupervisorOptions {
  /** Where the prefixed lines go. */
  write?: (line: string) => void;
  /** Stack messages (restarts, crashes): one line each. */
  say?: (line: string) => void;
  format?: LogFormat;
  color?: boolean;
  watchdog?: Watchdog;
  /** Crashes in a row before the stack gives up on a service. @default 5 */
  maxCrashes?: number;
  /** First restart delay, doubled each crash in a row. @default 1000 */
  backoffMs?: number;
  /** Longest restart delay. @default 30000 */
  maxBackoffMs?: number;
  /** Up this long after a restart, and its crashes-in-a-row count starts again. @default 60000 */
  stableMs?: number;
  /** How long a restarted service may take to be ready again. @default 60000 */
  readyTimeoutMs?: number;
  /** Called when a child's process group changes (start, restart, exit). */
  onGroupsChanged?: () => void;
  /** Folder for each service's log file (`pnpm stack logs`); none when unset. */
  logDir?: string;
}

export class Supervisor {
  readonly running: Running[] = [];
  private stopping = false;
  private readonly write: (line: string) => void;
  private readonly say: (line: string) => void;
  private readonly opts: SupervisorOptions;
  private readonly files = new Map<string, LogFile>();

  constructor(opts: SupervisorOptions = {}) {
    this.opts = opts;
    this.write = opts.write ?? ((l) => process.stdout.write(l));
    this.say = opts.say ?? ((l) => process.stdout.write(`stack: ${l}\n`));
  }

  start(svc: DiscoveredService, extraEnv: Record<string, string>): Running {
    const healthPort = healthPortOf({ ...svc, env: { ...svc.env, ...extraEnv } });
    if (healthPort === undefined) throw new Error(`${svc.name}: no health port to wait on`);
    const idx = this.running.length;
    const entry: Running = {
      svc,
      child: undefined as unknown as ChildProcess,
      healthPort,
      state: 'starting',
      crashes: 0,
      restarts: 0,
    };
    this.running.push(entry);
    this.spawnChild(entry, idx, extraEnv);
    return entry;
  }

  /** Process groups of the children alive now, for the run record. */
  groups(): { name: string; pgid: number; match: string }[] {
    return this.running
      .filter((r) => r.exitCode === undefined && r.child.pid !== undefined)
      .map((r) => ({ name: r.svc.name, pgid: r.child.pid!, match: r.svc.cli }));
  }

  private spawnChild(entry: Running, idx: number, extraEnv: Record<string, string>): void {
    const { svc } = entry;
    const width = 16;
    const format = this.opts.format ?? 'json';
    const color = this.opts.color ?? false;
    const prefix = (role?: string) => {
      const tag = (role ? `${svc.name}:${role}` : svc.name).padEnd(width).slice(0, Math.max(width, 0));
      return color ? `\x1b[${COLORS[idx % COLORS.length]}m${tag}\x1b[0m | ` : `${tag} | `;
    };
    // detached: a process group (and session) of its own, so the whole service — and
    // anything it spawns — is signalled as one, and a terminal's signals reach the stack only.
    if (svc.cwd) mkdirSync(svc.cwd, { recursive: true });
    const child = spawn(process.execPath, [svc.cli, ...svc.manifest.command], {
      env: { ...process.env, ...svc.env, ...extraEnv },
      ...(svc.cwd ? { cwd: svc.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    entry.child = child;
    entry.exitCode = undefined;
    const startedAt = Date.now();
    if (child.pid !== undefined) this.opts.watchdog?.watch(child.pid, svc.name);
    this.opts.onGroupsChanged?.();
    const file = this.logFile(svc.name);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        file?.write(line);
        if (format === 'json') {
          this.write(`${prefix()}${line}\n`);
          return;
        }
        const { text, role } = formatLine(line, color);
        this.write(`${prefix(role)}${text}\n`);
      });
    }
    child.on('error', (err) => this.say(`${svc.name}: could not start: ${err.message}`));
    child.on('exit', (code, signal) => {
      entry.exitCode = code;
      if (child.pid !== undefined) {
        // Anything the service left in its group goes with it.
        if (groupAlive(child.pid)) killGroup(child.pid, 'SIGKILL');
        this.opts.watchdog?.forget(child.pid);
      }
      this.opts.onGroupsChanged?.();
      if (this.stopping) {
        entry.state = 'stopped';
        return;
      }
      const how = signal ? `signal ${signal}` : `code ${code}`;
      // A service that never got ready is the start's failure (waitReady reports it).
      if (entry.state === 'starting') return;
      if (Date.now() - startedAt >= (this.opts.stableMs ?? 60_000)) entry.crashes = 0;
      entry.crashes += 1;
      const max = this.opts.maxCrashes ?? 5;
      if (entry.crashes > max) {
        entry.state = 'failed';
        this.say(
          `${svc.name} exited (${how}) after ${max} restarts in a row; not restarting it again (its last lines are above). The rest of the stack keeps running; Ctrl-C stops it`,
        );
        return;
      }
      const delay = Math.min(
        (this.opts.backoffMs ?? 1000) * 2 ** (entry.crashes - 1),
        this.opts.maxBackoffMs ?? 30_000,
      );
      entry.state = 'restarting';
      this.say(
        `${svc.name} exited (${how}); restarting it in ${(delay / 1000).toFixed(1)} s (restart ${entry.crashes} of ${max} in a row)`,
      );
      setTimeout(() => {
        if (this.stopping) return;
        entry.restarts += 1;
        this.spawnChild(entry, idx, extraEnv);
        entry.state = 'restarting';
        void this.waitReady(entry, this.opts.readyTimeoutMs ?? 60_000).then((s) => {
          if (s === 'ready' && !this.stopping) {
            entry.state = 'ready';
            this.say(`${svc.name} is ready again (restart ${entry.crashes})`);
          }
        });
      }, delay).unref();
    });
  }

  /** The service's log file for this run, opened (afresh) on its first start. */
  private logFile(name: string): LogFile | undefined {
    if (!this.opts.logDir) return undefined;
    let file = this.files.get(name);
    if (!file) {
      file = new LogFile(`${this.opts.logDir}/${name}.log`);
      this.files.set(name, file);
    }
    return file;
  }

  /** Polls /readyz until 200, the process exits, or the deadline passes. */
  async waitReady(entry: Running, timeoutMs: number): Promise<'ready' | 'exited' | 'timeout'> {
    const deadline = Date.now() + timeoutMs;
    const child = entry.child;
    while (Date.now() < deadline) {
      if (entry.child !== child || child.exitCode !== null || child.signalCode !== null) return 'exited';
      try {
        const res = await fetch(`http://127.0.0.1:${entry.healthPort}${HEALTH_PATHS.readiness}`, {
          signal: AbortSignal.timeout(1000),
        });
        if (res.status === 200) return 'ready';
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    return 'timeout';
  }

  /**
   * Waits for every entry to be ready, saying which are ready as they come and, every
   * `progressMs`, which are still awaited.
   */
  async waitAllReady(
    entries: Running[],
    timeoutMs: number,
    progressMs = 10_000,
  ): Promise<('ready' | 'exited' | 'timeout')[]> {
    const t0 = Date.now();
    const pending = new Set(entries);
    const timer = setInterval(() => {
      if (pending.size)
        this.say(
          `waiting for ${[...pending].map((e) => e.svc.name).join(', ')} (${Math.round((Date.now() - t0) / 1000)} s of at most ${Math.round(timeoutMs / 1000)})`,
        );
    }, progressMs);
    try {
      return await Promise.all(
        entries.map(async (e) => {
          const s = await this.waitReady(e, timeoutMs);
          pending.delete(e);
          const secs = ((Date.now() - t0) / 1000).toFixed(1);
          if (s === 'ready') {
            e.state = 'ready';
            this.say(`${e.svc.name} ready (${secs} s)`);
          } else
            this.say(
              `${e.svc.name} ${s === 'exited' ? 'exited while starting' : 'not ready in time'} (${secs} s)`,
            );
          return s;
        }),
      );
    } finally {
      clearInterval(timer);
    }
  }

  async stopAll(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    const alive = this.running.filter((r) => r.exitCode === undefined);
    await Promise.all(
      alive.map(
        (r) =>
          new Promise<void>((resolve) => {
            const pgid = r.child.pid!;
            const t = setTimeout(() => killGroup(pgid, 'SIGKILL'), graceMs);
            r.child.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            killGroup(pgid, 'SIGTERM');
          }),
      ),
    );
  }
}
