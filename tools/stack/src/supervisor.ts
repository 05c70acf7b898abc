/**
 * Runs services as child processes: prefixes their log lines, waits on their readiness
 * endpoints, and stops them with SIGTERM (then SIGKILL after a grace period).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { HEALTH_PATHS, type Logger, sleep } from '@fopnp/net';
import { type DiscoveredService, healthPortOf } from './discover.js';

const COLORS = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

export interface Running {
  svc: DiscoveredService;
  child: ChildProcess;
  healthPort: number;
  exitCode?: number | null;
}

export class Supervisor {
  readonly running: Running[] = [];
  private stopping = false;

  constructor(
    private readonly logger: Logger,
    private readonly write: (line: string) => void = (l) => process.stdout.write(l),
    private readonly color = Boolean(process.stdout.isTTY),
  ) {}

  start(svc: DiscoveredService, extraEnv: Record<string, string>): Running {
    const width = 16;
    const idx = this.running.length;
    const tag = svc.name.padEnd(width).slice(0, width);
    const prefix = this.color ? `\x1b[${COLORS[idx % COLORS.length]}m${tag}\x1b[0m | ` : `${tag} | `;
    const child = spawn(process.execPath, [svc.cli, ...svc.manifest.command], {
      env: { ...process.env, ...svc.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const healthPort = healthPortOf({ ...svc, env: { ...svc.env, ...extraEnv } });
    if (healthPort === undefined) throw new Error(`${svc.name}: no health port to wait on`);
    const entry: Running = { svc, child, healthPort };
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => this.write(`${prefix}${line}\n`));
    }
    child.on('exit', (code, signal) => {
      entry.exitCode = code;
      if (!this.stopping)
        this.logger.error({ service: svc.name, code, signal }, 'service exited unexpectedly');
    });
    this.running.push(entry);
    return entry;
  }

  /** Polls /readyz until 200, the process exits, or the deadline passes. */
  async waitReady(entry: Running, timeoutMs: number): Promise<'ready' | 'exited' | 'timeout'> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (entry.exitCode !== undefined) return 'exited';
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

  async stopAll(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    const alive = this.running.filter((r) => r.exitCode === undefined);
    await Promise.all(
      alive.map(
        (r) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => r.child.kill('SIGKILL'), graceMs);
            r.child.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            r.child.kill('SIGTERM');
          }),
      ),
    );
  }
}
