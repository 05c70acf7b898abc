/**
 * Every service's log lines also go to `.stack/logs/<service>.log` (as the service wrote
 * them), so `pnpm stack logs` shows them from another terminal — while the stack runs, and
 * after it stopped or died, until the next `up` starts the files again (`reset` removes them).
 * A file past LOG_FILE_MAX_BYTES starts again, with a line saying so: bounded on disk.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { sleep } from '@fopnp/net';
import { formatLine, type LogFormat } from './log-format.js';

export const LOG_FILE_MAX_BYTES = 16 * 1024 * 1024;

export function logDir(stackDir: string): string {
  return join(stackDir, 'logs');
}

/** One service's log file, opened for this run (truncated), appended line by line. */
export class LogFile {
  private fd: number;
  private bytes = 0;

  constructor(
    private readonly file: string,
    private readonly maxBytes = LOG_FILE_MAX_BYTES,
  ) {
    mkdirSync(join(file, '..'), { recursive: true });
    this.fd = openSync(file, 'w');
  }

  write(line: string): void {
    const data = `${line}\n`;
    if (this.bytes + data.length > this.maxBytes) {
      closeSync(this.fd);
      this.fd = openSync(this.file, 'w');
      this.bytes = 0;
      this.write(`(earlier lines dropped: the file reached ${this.maxBytes} bytes)`);
    }
    try {
      this.bytes += writeSync(this.fd, data);
    } catch {
      /* a full disk must not stop the stack */
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** The services that have a log file, by name. */
export function loggedServices(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => f.slice(0, -4))
    .sort();
}

interface Shown {
  time: string;
  service: string;
  line: string;
}

function timeOf(line: string): string {
  return /"time":"([^"]+)"/.exec(line)?.[1] ?? '';
}

function show(entries: Shown[], format: LogFormat, write: (s: string) => void): void {
  for (const e of entries) {
    const tag = e.service.padEnd(16);
    if (format === 'json') write(`${tag} | ${e.line}\n`);
    else {
      const { text, role } = formatLine(e.line, false);
      write(`${(role ? `${e.service}:${role}` : e.service).padEnd(16)} | ${text}\n`);
    }
  }
}

/**
 * Prints the last `lines` lines of each service, merged in time order, then (with `follow`)
 * what is appended, until `signal` aborts.
 */
export async function printLogs(
  dir: string,
  services: string[],
  opts: { lines: number; follow: boolean; format: LogFormat; signal?: AbortSignal },
  write: (s: string) => void = (s) => process.stdout.write(s),
): Promise<void> {
  const offsets = new Map<string, number>();
  const tail: Shown[] = [];
  for (const service of services) {
    const file = join(dir, `${service}.log`);
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    offsets.set(service, Buffer.byteLength(text));
    const lines = text.split('\n').filter(Boolean).slice(-opts.lines);
    tail.push(...lines.map((line) => ({ time: timeOf(line), service, line })));
  }
  // A stable sort keeps each service's own order where times tie or are missing.
  show(
    tail.sort((a, b) => (a.time && b.time ? a.time.localeCompare(b.time) : 0)),
    opts.format,
    write,
  );
  if (!opts.follow) return;
  const partial = new Map<string, string>();
  while (!opts.signal?.aborted) {
    await sleep(300);
    for (const service of services) {
      const file = join(dir, `${service}.log`);
      if (!existsSync(file)) continue;
      const size = statSync(file).size;
      let from = offsets.get(service) ?? 0;
      if (size < from) from = 0; // started again (a new `up`, or the size bound)
      if (size === from) continue;
      const fd = openSync(file, 'r');
      const buf = Buffer.alloc(size - from);
      readSync(fd, buf, 0, buf.length, from);
      closeSync(fd);
      offsets.set(service, size);
      const text = (partial.get(service) ?? '') + buf.toString('utf8');
      const parts = text.split('\n');
      partial.set(service, parts.pop() ?? '');
      show(
        parts.filter(Boolean).map((line) => ({ time: timeOf(line), service, line })),
        opts.format,
        write,
      );
    }
  }
}
