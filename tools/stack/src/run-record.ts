/**
 * What a running stack leaves on disk so that the next command knows about it:
 * `.stack/run/stack.json` (its pid, profile, and the process group of every child and server
 * it started). `up` refuses to start over a live stack and stops the leftovers of a dead one;
 * `down` stops it; `reset` also removes the state the services kept.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupAlive, stopGroups } from './watchdog.js';

/** Where the local stack keeps its files: STACK_DIR, or `.stack` in the checkout. */
export function stackDir(root: string): string {
  return process.env.STACK_DIR || join(root, '.stack');
}
/** Files of one run (the record, the watchdog's log, backing groups' data): removed by `down`. */
export function runDir(root: string): string {
  return join(stackDir(root), 'run');
}
/** State kept across runs (tally counts, the SQLite bank): removed by `reset`. */
export function stateDir(root: string): string {
  return join(stackDir(root), 'state');
}

export interface RecordedGroup {
  name: string;
  pgid: number;
  /** A string its leader's command line contains (checked where /proc exists, against pid reuse). */
  match: string;
}

export interface RunRecord {
  pid: number;
  /** Its start time as the kernel counts it (/proc/PID/stat), so a reused pid is not taken for it. */
  startTicks?: string;
  profile: string;
  startedAt: string;
  /** The watchdog process (see watchdog.ts). */
  watchdogPid?: number;
  groups: RecordedGroup[];
}

const recordFile = (root: string) => join(runDir(root), 'stack.json');
export const watchdogLog = (root: string) => join(runDir(root), 'watchdog.log');

export function readRecord(root: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(root), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

export function writeRecord(root: string, record: RunRecord): void {
  mkdirSync(runDir(root), { recursive: true });
  const tmp = `${recordFile(root)}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, recordFile(root));
}

function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/** A process's start time in clock ticks since boot (field 22 of /proc/PID/stat), where /proc exists. */
export function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The recorded stack process is alive (and, where /proc tells, is the same process). */
export function stackAlive(record: RunRecord): boolean {
  if (!pidAlive(record.pid)) return false;
  const ticks = startTicks(record.pid);
  return record.startTicks === undefined || ticks === undefined || ticks === record.startTicks;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Recorded groups still alive: a dead stack's leftovers. */
export function leftovers(record: RunRecord): RecordedGroup[] {
  return record.groups.filter((g) => {
    if (!groupAlive(g.pgid)) return false;
    const cmd = cmdline(g.pgid);
    // The leader is gone but the group lives on, or the leader is what we started.
    return cmd === undefined || cmd.includes(g.match);
  });
}

/** Stops leftover groups; returns their names. */
export async function stopLeftovers(record: RunRecord, graceMs = 3000): Promise<string[]> {
  const left = leftovers(record);
  if (left.length) await stopGroups(new Map(left.map((g) => [g.pgid, g.name])), graceMs);
  return left.map((g) => g.name);
}

/**
 * Waits (bounded) for the last run's watchdog to finish: when its stack was just killed it
 * is still stopping the children (SIGTERM, then SIGKILL after its grace), and it writes
 * its note only then. A start that read the notes at once missed it.
 */
export async function watchdogFinished(record: RunRecord, timeoutMs = 10_000): Promise<void> {
  const pid = record.watchdogPid;
  if (!pid) return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && cmdline(pid)?.includes('watchdog')) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The watchdog's notes from a run that ended without stopping its children, then forgotten. */
export function takeWatchdogNotes(root: string): string[] {
  const file = watchdogLog(root);
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  rmSync(file, { force: true });
  return lines;
}

/** The process listening on a TCP port, as ss names it (`node pid=123`), when ss can tell. */
export function listenerOf(port: number): string | undefined {
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(out);
    if (!m) return undefined;
    const cmd = cmdline(Number(m[2]))?.trim();
    return `pid ${m[2]} (${cmd ? cmd.slice(0, 120) : m[1]})`;
  } catch {
    return undefined;
  }
}

/** Removes the run's files (record, watchdog notes, backing groups' data). */
export function removeRunFiles(root: string): void {
  rmSync(runDir(root), { recursive: true, force: true });
}
