/**
 * The stack's watchdog: what makes its children die with it, however it dies.
 *
 * Every service runs in a process group of its own (spawned detached), so a terminal's
 * Ctrl-C or a SIGHUP reaches the stack alone, which stops them in order. A SIGKILL of the
 * stack gives it no chance to: this small separate process (its own session too) holds the
 * read end of a pipe from the stack, learns each child's process group on it, and when the
 * pipe closes — the kernel closes it when the stack exits, by any signal — sends SIGTERM to
 * the groups still there, then SIGKILL after a grace period. Node has no PR_SET_PDEATHSIG;
 * a pipe's end is the portable form of it.
 *
 * Protocol, one line each on stdin: `+PGID name` (watch), `-PGID` (exited, forget it).
 * What it stopped it appends to the file named by its first argument (the next start says so).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** True while any process of the group is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* gone already */
  }
}

/**
 * SIGTERM to every group, SIGKILL to those still alive after `graceMs`; resolves with the
 * names of those that needed SIGKILL.
 */
export async function stopGroups(groups: Map<number, string>, graceMs: number): Promise<string[]> {
  for (const pgid of groups.keys()) killGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && [...groups.keys()].some(groupAlive))
    await new Promise((r) => setTimeout(r, 100));
  const stubborn = [...groups].filter(([pgid]) => groupAlive(pgid));
  for (const [pgid] of stubborn) killGroup(pgid, 'SIGKILL');
  return stubborn.map(([, name]) => name);
}

/** The stack's end of the watchdog: tell it about each child group. */
export class Watchdog {
  private constructor(private readonly child: ChildProcess) {}

  /**
   * Starts the watchdog process; `logFile` gets a line for each group it had to stop.
   * The grace is short: with the stack gone, a service's log lines have no reader, and a
   * pino logger writing to a closed pipe spins on EPIPE instead of finishing its shutdown
   * (seen with tcp-farewell: SIGTERM never completed), so SIGKILL follows soon.
   */
  static start(logFile: string, graceMs = 3000): Watchdog {
    const script = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, [script, logFile, String(graceMs)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.unref();
    // The pipe must not keep the stack's event loop alive either.
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    child.stdin!.on('error', () => {}); // a watchdog gone early: nothing to tell any more
    return new Watchdog(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  watch(pgid: number, name: string): void {
    this.child.stdin!.write(`+${pgid} ${name}\n`);
  }

  forget(pgid: number): void {
    this.child.stdin!.write(`-${pgid}\n`);
  }

  /** The stack ends normally: the watchdog stops what is left (nothing, normally) and exits. */
  close(): void {
    this.child.stdin!.end();
  }
}

async function main(logFile: string, graceMs: number): Promise<void> {
  // Its own session already (detached); a stray SIGINT/SIGHUP must not end it before its job.
  for (const sig of ['SIGINT', 'SIGHUP', 'SIGTERM'] as const) process.on(sig, () => {});
  const groups = new Map<number, string>();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const m = /^([+-])(\d+)(?: (.*))?$/.exec(line);
    if (!m) return;
    const pgid = Number(m[2]);
    if (m[1] === '+') groups.set(pgid, m[3] ?? String(pgid));
    else groups.delete(pgid);
  });
  await new Promise<void>((resolve) => lines.once('close', resolve));
  const alive = new Map([...groups].filter(([pgid]) => groupAlive(pgid)));
  if (alive.size === 0) return;
  const killed = await stopGroups(alive, graceMs);
  const when = new Date().toISOString();
  const names = [...alive.values()].join(', ');
  try {
    appendFileSync(
      logFile,
      `${when} the stack ended without stopping ${names}; the watchdog stopped them${killed.length ? ` (SIGKILL: ${killed.join(', ')})` : ''}\n`,
    );
  } catch {
    /* nowhere to say it */
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main(process.argv[2] ?? '/dev/null', Number(process.argv[3] ?? 15_000));
  process.exit(0);
}
