/**
 * Running one command on many hosts at once (the book's ssh_commands.py and
 * ssh_threads.py; Fabric's and Ansible's ad-hoc mode), a bounded number at a time. Each
 * host's stdout and stderr are kept apart, split into lines and handed out with the host
 * they came from; each host ends with an exit status or the reason it has none.
 */
import type { Client, ClientChannel } from 'ssh2';
import { type ConnectOptions, openSsh, type SshTarget } from './connection.js';
import { CommandTimeoutError } from './errors.js';

export interface HostResult {
  target: string;
  exitCode: number | null;
  signal?: string;
  /** Set when the host never ran the command or it was killed. */
  error?: string;
  durationMs: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions extends ConnectOptions {
  /** Hosts worked on at once. @default 10 */
  concurrency?: number;
  /** Kill the remote command after this many seconds; 0 = no limit. @default 0 */
  commandTimeoutSec?: number;
  onStdout?: (target: string, line: string) => void;
  onStderr?: (target: string, line: string) => void;
  /** Output kept per host in the result (bytes). @default 1 MiB */
  maxCaptureBytes?: number;
}

export function targetLabel(t: SshTarget): string {
  return t.port === 22 ? `${t.user}@${t.host}` : `${t.user}@${t.host}:${t.port}`;
}

/** Splits a stream of chunks into lines, holding a partial last line until more arrives. */
class LineSplitter {
  private partial = '';
  constructor(private readonly emit: (line: string) => void) {}
  push(chunk: Buffer): void {
    const text = this.partial + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop()!;
    for (const l of lines) this.emit(l);
  }
  flush(): void {
    if (this.partial) this.emit(this.partial);
    this.partial = '';
  }
}

function execChannel(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    client.exec(command, (err, ch) => (err ? reject(err) : resolve(ch))),
  );
}

const PGID_MARKER = '@@fopnp-pgid:';

/** One POSIX shell word holding `s` exactly: single quotes, each ' inside written as '\''. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * With a time limit the command runs in its own process group whose id it reports first
 * on stderr, so a timeout can kill the whole group through a second channel. OpenSSH's
 * "signal" channel request would be simpler, but sshd refuses it for root logins
 * ("session signalling requires privilege separation").
 */
export function killableCommand(command: string): string {
  return `exec setsid -w sh -c 'printf "${PGID_MARKER}%s\\n" "$$" >&2; exec "\${SHELL:-sh}" -c "$1"' fopnp ${shellQuote(command)}`;
}

function runQuiet(client: Client, command: string): Promise<void> {
  return new Promise((resolve) => {
    client.exec(command, (err, ch) => {
      if (err) return resolve();
      ch.resume();
      ch.stderr.resume();
      ch.on('close', () => resolve());
    });
  });
}

export async function runOnHost(
  target: SshTarget,
  command: string,
  options: ExecOptions,
): Promise<HostResult> {
  const label = targetLabel(target);
  const started = Date.now();
  const limit = options.maxCaptureBytes ?? 1024 * 1024;
  const seconds = options.commandTimeoutSec ?? 0;
  let stdout = '';
  let stderr = '';
  let pgid: string | undefined;
  let onPgid: (() => void) | undefined;
  const capture = (which: 'out' | 'err', line: string) => {
    if (which === 'out') {
      if (stdout.length < limit) stdout += `${line}\n`;
      options.onStdout?.(label, line);
    } else {
      if (seconds > 0 && pgid === undefined && line.startsWith(PGID_MARKER)) {
        pgid = line.slice(PGID_MARKER.length);
        onPgid?.();
        return;
      }
      if (stderr.length < limit) stderr += `${line}\n`;
      options.onStderr?.(label, line);
    }
  };
  let client: Client | undefined;
  try {
    client = await openSsh(target, options);
    const channel = await execChannel(client, seconds > 0 ? killableCommand(command) : command);
    const out = new LineSplitter((l) => capture('out', l));
    const err = new LineSplitter((l) => capture('err', l));
    channel.on('data', (d: Buffer) => out.push(d));
    channel.stderr.on('data', (d: Buffer) => err.push(d));
    const conn = client;
    const result = await new Promise<{ code: number | null; signal?: string; timedOut: boolean }>(
      (resolve) => {
        let code: number | null = null;
        let signal: string | undefined;
        let timedOut = false;
        const killGroup = () => {
          const kill =
            pgid && /^\d+$/.test(pgid) ? runQuiet(conn, `kill -KILL -- -${pgid}`) : Promise.resolve();
          void kill.then(() => setTimeout(() => channel.close(), 2000).unref());
        };
        const timer =
          seconds > 0
            ? setTimeout(() => {
                timedOut = true;
                if (pgid !== undefined) return killGroup();
                // The wrapper has not reported its process group yet (a slow start on a
                // loaded host). Closing the channel alone would leave the command running
                // in its own session, so kill the group as soon as it is reported.
                onPgid = killGroup;
                setTimeout(() => channel.close(), 10_000).unref();
              }, seconds * 1000)
            : undefined;
        channel.on('exit', (c: number | null, sig?: string) => {
          code = c;
          signal = sig ?? undefined;
        });
        channel.on('close', () => {
          clearTimeout(timer);
          out.flush();
          err.flush();
          resolve({ code, signal, timedOut });
        });
      },
    );
    if (result.timedOut) {
      return {
        target: label,
        exitCode: null,
        signal: 'KILL',
        error: new CommandTimeoutError(label, seconds).message,
        durationMs: Date.now() - started,
        stdout,
        stderr,
      };
    }
    return {
      target: label,
      exitCode: result.code,
      signal: result.signal,
      durationMs: Date.now() - started,
      stdout,
      stderr,
    };
  } catch (e) {
    return {
      target: label,
      exitCode: null,
      error: (e as Error).message,
      durationMs: Date.now() - started,
      stdout,
      stderr,
    };
  } finally {
    client?.end();
  }
}

/** Runs `command` on every target, at most `concurrency` at a time; results in target order. */
export async function runOnHosts(
  targets: SshTarget[],
  command: string,
  options: ExecOptions,
): Promise<HostResult[]> {
  const results: HostResult[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      results[i] = await runOnHost(targets[i]!, command, options);
    }
  };
  const n = Math.max(1, Math.min(options.concurrency ?? 10, targets.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}

export function succeeded(r: HostResult): boolean {
  return r.error === undefined && r.exitCode === 0;
}

/** The summary table printed after a multi-host run. */
export function summaryTable(results: HostResult[]): string {
  const rows = [['HOST', 'STATUS', 'EXIT', 'TIME', 'DETAIL']];
  for (const r of results) {
    rows.push([
      r.target,
      succeeded(r) ? 'ok' : 'FAILED',
      r.exitCode === null ? (r.signal ? `signal ${r.signal}` : '-') : String(r.exitCode),
      `${(r.durationMs / 1000).toFixed(2)}s`,
      (r.error ?? '').split('\n')[0] ?? '',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const ok = results.filter(succeeded).length;
  return `${rows
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n${ok} of ${results.length} hosts succeeded\n`;
}
