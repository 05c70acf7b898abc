/**
 * fastify makes a child logger (pino's child: a new object with the request id bound) for every
 * request, though this server logs only a failed request's line: 1.9 µs of a ~16 µs /get
 * (issue 20). The child is made here on the first line the request logs, and never otherwise.
 */
import type { Logger } from '@fopnp/net';
import type { FastifyBaseLogger } from 'fastify';

type Bindings = Record<string, unknown>;
type LogFn = (...args: unknown[]) => void;

class LazyChildLogger {
  private made: Logger | undefined;
  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: object,
  ) {}

  private get real(): Logger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }
  set level(level: string) {
    this.real.level = level;
  }
  isLevelEnabled(level: string): boolean {
    return this.real.isLevelEnabled(level);
  }
  child(bindings: Bindings, options?: object): Logger {
    return this.real.child(bindings, options);
  }
  fatal(...args: unknown[]): void {
    (this.real.fatal as LogFn)(...args);
  }
  error(...args: unknown[]): void {
    (this.real.error as LogFn)(...args);
  }
  warn(...args: unknown[]): void {
    (this.real.warn as LogFn)(...args);
  }
  info(...args: unknown[]): void {
    (this.real.info as LogFn)(...args);
  }
  debug(...args: unknown[]): void {
    // Below the level nothing is written: no child is needed to learn that.
    if (this.parent.isLevelEnabled('debug')) (this.real.debug as LogFn)(...args);
  }
  trace(...args: unknown[]): void {
    if (this.parent.isLevelEnabled('trace')) (this.real.trace as LogFn)(...args);
  }
  silent(): void {}
}

/** fastify's childLoggerFactory option. */
export function lazyChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: object,
): FastifyBaseLogger {
  return new LazyChildLogger(logger as unknown as Logger, bindings, options) as unknown as FastifyBaseLogger;
}
