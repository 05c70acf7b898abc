/** Reading a process tree's memory and CPU from /proc (Linux), and starting servers. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** The pid and all its descendants. */
export function processTree(pid: number): number[] {
  const out = [pid];
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    for (const c of children ? children.split(/\s+/) : []) out.push(...processTree(Number(c)));
  } catch {
    // gone already
  }
  return out;
}

/** Resident memory of the whole tree, in MiB. */
export function rssMiB(pid: number): number {
  let kib = 0;
  for (const p of processTree(pid)) {
    try {
      const m = readFileSync(`/proc/${p}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
      kib += Number(m?.[1] ?? 0);
    } catch {
      // gone already
    }
  }
  return kib / 1024;
}

/** CPU time (user + system) used so far by the whole tree, in ms. */
export function cpuMs(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone already
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

const running = new Set<ChildProcess>();
// Detached servers would outlive a crashed benchmark: take them down with it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface StartedServer {
  name: string;
  pid: number;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a server that prints "Listening at HOST:PORT" and resolves with its port. */
export function startServer(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<StartedServer>((resolve, reject) => {
    // Its own session, as a daemon would be: with Linux autogroup scheduling (on here) a
    // session shares one CPU slice, and the server should not split its slice with the
    // load generator any more than it would on a separate machine.
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within 15 s:\n${output}`));
    }, 15_000);
    const onData = (d: Buffer) => {
      output += d;
      const m = output.match(/Listening at .*:(\d+)/);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve({
          name,
          pid: child.pid!,
          port: Number(m[1]),
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('close', () => done());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => {
      output += d;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before listening:\n${output}`));
    });
  });
}
