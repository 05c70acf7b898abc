/**
 * Graceful shutdown on SIGTERM/SIGINT: stop accepting, let in-flight work finish within a
 * deadline, exit 0. A second signal, or the deadline passing, exits 1 at once. PID 1 in a
 * container gets no default signal handlers, so installing these is what makes
 * `docker stop` and Kubernetes terminations quick and clean.
 */
import type { Logger } from './logger.js';

export interface ShutdownOptions {
  /** Time allowed for `close` before exiting anyway. @default 10000 */
  deadlineMs?: number;
  logger?: Logger;
  signals?: NodeJS.Signals[];
  /** Replaced in tests; @default process.exit */
  exit?: (code: number) => void;
}

/** Installs the handlers; returns a function that triggers the same shutdown by hand. */
export function onShutdown(
  close: (signal: string) => Promise<void>,
  options: ShutdownOptions = {},
): (reason: string) => Promise<void> {
  const deadline = options.deadlineMs ?? 10_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let started: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    if (started) {
      options.logger?.warn({ reason }, 'second shutdown request: exiting now');
      exit(1);
      return started;
    }
    options.logger?.info({ reason, deadlineMs: deadline }, 'shutting down: no new work, finishing in-flight');
    const timer = setTimeout(() => {
      options.logger?.error(
        { deadlineMs: deadline },
        'shutdown deadline passed: exiting with work unfinished',
      );
      exit(1);
    }, deadline);
    timer.unref();
    started = close(reason).then(
      () => {
        clearTimeout(timer);
        options.logger?.info('shutdown complete');
        options.logger?.flush?.();
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(timer);
        options.logger?.error({ err }, 'error during shutdown');
        exit(1);
      },
    );
    return started;
  };

  for (const signal of signals) process.on(signal, () => void shutdown(signal));
  return shutdown;
}
