/**
 * One pino logger per service, named after it. JSON lines by default (what log shippers
 * want); human-readable through pino-pretty when stdout is a terminal and pino-pretty is
 * installed. It is a development dependency: a checkout has it, the images do not (17
 * packages each, for a terminal no container has), and there the lines stay JSON.
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';
export { LOG_LEVELS, type LogLevel, logOptions } from './log-options.js';

export interface CreateLoggerOptions {
  /** @default 'info' */
  level?: string;
  /** Pretty-print; @default true when stdout is a TTY, CI is not set and pino-pretty is installed */
  pretty?: boolean;
  /** Write somewhere other than stdout (tests). */
  destination?: NodeJS.WritableStream;
}

export function createLogger(name: string, options: CreateLoggerOptions = {}): Logger {
  const base: LoggerOptions = {
    name,
    level: options.level ?? 'info',
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const pretty = options.pretty ?? (Boolean(process.stdout.isTTY) && !process.env.CI);
  if (options.destination) return pino(base, options.destination as pino.DestinationStream);
  if (pretty && prettyInstalled()) {
    return pino({
      ...base,
      formatters: {},
      transport: {
        target: 'pino-pretty',
        // NO_COLOR (https://no-color.org): readable, without colours.
        options: {
          colorize: !process.env.NO_COLOR,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,service',
        },
      },
    });
  }
  return pino(base, stdoutLines());
}

/** How long one log line may wait for a full pipe before it is dropped. */
const FULL_PIPE_WAIT_MS = 1_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * stdout for the JSON lines: written synchronously (a crash loses no line already logged),
 * but never able to stop the service. pino's own destination retries a failed write for
 * ever, sleeping in the event loop's thread: with the reader of stdout gone (EPIPE: a
 * terminal closed, a supervisor's pipe dropped) a service stopped answering SIGTERM and
 * had to be killed. Here a reader that has gone ends the logging, and a pipe that stays
 * full for a second costs that line, not the service.
 */
export function stdoutLines(fd = 1): pino.DestinationStream {
  let gone = false;
  return {
    write(line: string) {
      if (gone) return;
      let rest = Buffer.from(line);
      let waited = 0;
      while (rest.length > 0) {
        try {
          rest = rest.subarray(writeSync(fd, rest));
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if ((code === 'EAGAIN' || code === 'EBUSY') && waited < FULL_PIPE_WAIT_MS) {
            Atomics.wait(pause, 0, 0, 5);
            waited += 5;
            continue;
          }
          if (code === 'EPIPE' || code === 'EBADF') gone = true;
          return;
        }
      }
    },
  };
}

/** True when pino-pretty can be loaded from here (a checkout: yes; an image: no). */
export function prettyInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** A logger that drops everything, for libraries used without one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
