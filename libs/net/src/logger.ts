/**
 * One pino logger per service, named after it. JSON lines by default (what log shippers
 * want); human-readable through pino-pretty when stdout is a terminal and pino-pretty is
 * installed. It is a development dependency: a checkout has it, the images do not (17
 * packages each, for a terminal no container has), and there the lines stay JSON.
 */
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
  return pino(base);
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
