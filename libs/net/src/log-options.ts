/** The log level option every program declares (no pino here: CLIs read it for --help). */
import { defineOptions } from './config.js';

/** pino's levels, most verbose first; `silent` logs nothing. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The `logLevel` option (LOG_LEVEL, --log-level) every program declares the same way; a
 * book-style CLI that prints to stdout picks a quieter default and says where logs go.
 */
export function logOptions<const D extends LogLevel = 'info'>(
  defaultLevel: D = 'info' as D,
  description = 'log level',
) {
  return defineOptions({
    logLevel: { type: 'enum', env: 'LOG_LEVEL', choices: LOG_LEVELS, default: defaultLevel, description },
  });
}
