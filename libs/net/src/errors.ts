/**
 * Coded error classes shared by every service (book ch. 5, "granular" error handling).
 * Each class carries a stable `code`, a one-line human message that says what to change,
 * and the process exit code a CLI should use when it is fatal.
 */

/**
 * One way to declare a service's errors, after fastify's `lib/errors.js` and undici's
 * `lib/core/errors.js`: a table of NAME → message template, HTTP status and exit code.
 * Codes follow one rule, derived from the service's name:
 *
 *     FOPNP_ERR_<NAME>              the kit's own (this file)
 *     FOPNP_<SERVICE>_ERR_<NAME>    a service's, SERVICE = its name in UPPER_SNAKE
 *                                   (redis-cache → FOPNP_REDIS_CACHE_ERR_INVALID_KEY)
 *
 * Every class is a `NetError`, so `reportFatal` prints any of them as one line with its exit
 * code, and `errorBody` turns any of them into the one JSON error body of every HTTP API.
 */

/** One entry of an error table. */
export interface ErrorSpec {
  /** The message template: says what happened and what to change. */
  // biome-ignore lint/suspicious/noExplicitAny: each entry declares its own parameters
  message: (...args: any[]) => string;
  /** Status an HTTP API answers with. @default 500 */
  statusCode?: number;
  /** Exit code of a CLI that stops on this error. @default 1 */
  exitCode?: number;
}

type Snake<S extends string> = S extends `${infer A}-${infer B}` ? `${A}_${Snake<B>}` : S;
/** The code prefix of a service ('' for the kit itself). */
export type CodePrefix<Service extends string> = Service extends ''
  ? 'FOPNP_ERR_'
  : `FOPNP_${Uppercase<Snake<Service>>}_ERR_`;

/** What a table hands to `NetError`'s constructor. */
export interface ErrorInit {
  code: string;
  message: string;
  statusCode: number;
  exitCode: number;
}

export interface ErrorTable<Service extends string, S extends Record<string, ErrorSpec>> {
  /** The service's name as declared in its manifest ('' for the kit). */
  readonly service: Service;
  readonly prefix: CodePrefix<Service>;
  readonly specs: S;
  /** Full code of each entry: `codes.INVALID_KEY` is 'FOPNP_REDIS_CACHE_ERR_INVALID_KEY'. */
  readonly codes: { readonly [K in keyof S & string]: `${CodePrefix<Service>}${K}` };
  /** Code, message, status and exit code of one entry, for `super(...)` in its class. */
  describe<K extends keyof S & string>(name: K, ...args: Parameters<S[K]['message']>): ErrorInit;
  /** Every entry with its full code, status and exit code (for checks and README tables). */
  entries(): { name: string; code: string; statusCode: number; exitCode: number }[];
}

/** The prefix a service's codes must carry, from its manifest name. */
export function codePrefix<Service extends string>(service: Service): CodePrefix<Service> {
  return (
    service === '' ? 'FOPNP_ERR_' : `FOPNP_${service.toUpperCase().replaceAll('-', '_')}_ERR_`
  ) as CodePrefix<Service>;
}

/** Declares a service's errors: one entry per code, NAME in UPPER_SNAKE without the prefix. */
export function defineErrors<const Service extends string, const S extends Record<string, ErrorSpec>>(
  service: Service,
  specs: S,
): ErrorTable<Service, S> {
  const prefix = codePrefix(service);
  const codes = Object.fromEntries(Object.keys(specs).map((name) => [name, `${prefix}${name}`]));
  const entries = Object.entries(specs).map(([name, spec]) => ({
    name,
    code: `${prefix}${name}`,
    statusCode: spec.statusCode ?? 500,
    exitCode: spec.exitCode ?? 1,
  }));
  return {
    service,
    prefix,
    specs,
    codes: codes as ErrorTable<Service, S>['codes'],
    describe(name, ...args) {
      const spec = specs[name]!;
      return {
        code: `${prefix}${name}`,
        message: spec.message(...args),
        statusCode: spec.statusCode ?? 500,
        exitCode: spec.exitCode ?? 1,
      };
    },
    entries: () => entries.map((e) => ({ ...e })),
  };
}

/** The kit's own errors. */
export const NET_ERRORS = defineErrors('', {
  NAME_RESOLUTION: {
    statusCode: 502,
    message: (host: string) => `cannot resolve host name "${host}": check the spelling and your DNS`,
  },
  CONNECTION_REFUSED: {
    statusCode: 502,
    message: (target: string) => `connection refused by ${target}: is the server running on that port?`,
  },
  HOST_UNREACHABLE: {
    statusCode: 502,
    message: (target: string) => `host ${target} is unreachable: check the address and your network route`,
  },
  TIMEOUT: {
    statusCode: 504,
    message: (what: string, timeoutMs: number) => `${what} timed out after ${timeoutMs} ms`,
  },
  CONNECTION_RESET: {
    statusCode: 502,
    message: (target: string) => `connection to ${target} was reset by the peer`,
  },
  ADDRESS_IN_USE: {
    statusCode: 502,
    message: (address: string) =>
      `address ${address} is already in use: stop the other server or choose another port with -p`,
  },
  PERMISSION_DENIED: {
    statusCode: 502,
    message: (what: string) =>
      `permission denied for ${what}: ports below 1024 need privileges, broadcast needs SO_BROADCAST`,
  },
  MESSAGE_TOO_LONG: {
    statusCode: 502,
    message: (size: number) =>
      `datagram of ${size} bytes is too long for the network (EMSGSIZE): send less than the path MTU or use TCP`,
  },
  INCOMPLETE_READ: {
    statusCode: 502,
    message: (expected: number, received: number, what: string) =>
      `connection closed mid-${what}: expected ${expected} bytes, received ${received} before EOF`,
  },
  FRAME_TOO_LARGE: {
    statusCode: 502,
    message: (size: number, limit: number, what: string) =>
      `${what} of ${size} bytes exceeds the limit of ${limit} bytes`,
  },
  STREAM_CLOSED: { statusCode: 502, message: (reason: string) => `stream is closed: ${reason}` },
  INVALID_CONFIG: {
    statusCode: 400,
    exitCode: 2,
    message: (option: string, detail: string) => `invalid value for ${option}: ${detail}`,
  },
  NETWORK: { statusCode: 502, message: (message: string) => message },
  /** An HTTP request a framework refused with a 4xx status but no code of its own. */
  BAD_REQUEST: { statusCode: 400, message: (detail: string) => detail },
  /** A bug: an HTTP API answers 500 with this and logs the details. */
  INTERNAL: { message: () => 'internal error' },
});

export type NetErrorCode = (typeof NET_ERRORS.codes)[keyof typeof NET_ERRORS.codes];

/** Any service's code: the kit's, or `FOPNP_<SERVICE>_ERR_<NAME>`. */
export type ErrorCode = NetErrorCode | (string & {});

function kitInit(code: string, message: string): ErrorInit {
  const entry = NET_ERRORS.entries().find((e) => e.code === code);
  return { code, message, statusCode: entry?.statusCode ?? 500, exitCode: entry?.exitCode ?? 1 };
}

/**
 * The root of every coded error in the project. Built from a table entry
 * (`super(TABLE.describe('NAME', ...args), { cause })`).
 */
export class NetError extends Error {
  readonly code: ErrorCode;
  /** Status an HTTP API answers with. */
  readonly statusCode: number;
  /** Exit code for a CLI that stops on this error: 2 for a usage error, as getopt's tools do. */
  readonly exitCode: number;
  override readonly cause?: unknown;

  constructor(init: ErrorInit, options?: { cause?: unknown });
  /**
   * A code and a message of the caller's own: the status and exit code are the kit entry's
   * when the code is one of the kit's (`FOPNP_ERR_INVALID_CONFIG` exits 2), else 500 and 1.
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown });
  constructor(
    initOrCode: ErrorInit | ErrorCode,
    messageOrOptions?: string | { cause?: unknown },
    maybeOptions?: { cause?: unknown },
  ) {
    const init: ErrorInit =
      typeof initOrCode === 'string' ? kitInit(initOrCode, String(messageOrOptions)) : initOrCode;
    const options = typeof initOrCode === 'string' ? maybeOptions : (messageOrOptions as { cause?: unknown });
    super(init.message);
    this.name = new.target.name;
    this.code = init.code;
    this.statusCode = init.statusCode;
    this.exitCode = init.exitCode;
    this.cause = options?.cause;
  }
}

/** The name did not resolve: typo, no DNS, or a host that does not exist. */
export class NameResolutionError extends NetError {
  constructor(
    readonly host: string,
    options?: { cause?: unknown },
  ) {
    super(NET_ERRORS.describe('NAME_RESOLUTION', host), options);
  }
}

/** The host answered but nothing listens on the port (TCP RST). */
export class ConnectionRefusedError extends NetError {
  constructor(
    readonly target: string,
    options?: { cause?: unknown },
  ) {
    super(NET_ERRORS.describe('CONNECTION_REFUSED', target), options);
  }
}

/** No route to the host or network (ICMP unreachable). */
export class HostUnreachableError extends NetError {
  constructor(
    readonly target: string,
    options?: { cause?: unknown },
  ) {
    super(NET_ERRORS.describe('HOST_UNREACHABLE', target), options);
  }
}

/** Nothing answered within the deadline. */
export class TimeoutError extends NetError {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(NET_ERRORS.describe('TIMEOUT', what, timeoutMs), options);
  }
}

/** The peer reset or broke the connection. */
export class ConnectionResetError extends NetError {
  constructor(
    readonly target: string,
    options?: { cause?: unknown },
  ) {
    super(NET_ERRORS.describe('CONNECTION_RESET', target), options);
  }
}

/** bind() failed because another process holds the address. */
export class AddressInUseError extends NetError {
  constructor(
    readonly address: string,
    options?: { cause?: unknown },
  ) {
    super(NET_ERRORS.describe('ADDRESS_IN_USE', address), options);
  }
}

/** bind() or send() was refused by the operating system. */
export class PermissionDeniedError extends NetError {
  constructor(
    readonly what: string,
    options?: { cause?: unknown },
  ) {
    super(NET_ERRORS.describe('PERMISSION_DENIED', what), options);
  }
}

/** A datagram larger than the path MTU / socket limit (EMSGSIZE, book ch. 2 big_sender.py). */
export class MessageTooLongError extends NetError {
  constructor(
    readonly size: number,
    options?: { cause?: unknown },
  ) {
    super(NET_ERRORS.describe('MESSAGE_TOO_LONG', size), options);
  }
}

/** EOF arrived before the bytes the protocol promised (the book's recvall). */
export class IncompleteReadError extends NetError {
  constructor(
    readonly expected: number,
    readonly received: number,
    what = 'frame',
  ) {
    super(NET_ERRORS.describe('INCOMPLETE_READ', expected, received, what));
  }
}

/** A frame (or a line without its delimiter) exceeded the configured maximum. */
export class FrameTooLargeError extends NetError {
  constructor(
    readonly size: number,
    readonly limit: number,
    what = 'frame',
  ) {
    super(NET_ERRORS.describe('FRAME_TOO_LARGE', size, limit, what));
  }
}

/** Read attempted on a reader that already failed or ended. */
export class StreamClosedError extends NetError {
  constructor(reason: string) {
    super(NET_ERRORS.describe('STREAM_CLOSED', reason));
  }
}

/** An option or environment variable had an invalid value (exit code 2, HTTP 400). */
export class InvalidConfigError extends NetError {
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(NET_ERRORS.describe('INVALID_CONFIG', option, detail));
  }
}

/** Any other network failure, with the system code kept in the message. */
export class NetworkError extends NetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(NET_ERRORS.describe('NETWORK', message), options);
  }
}

interface SystemErrorLike {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
  message?: string;
}

/**
 * Turns a Node system error (ECONNREFUSED, ENOTFOUND, …) into one of the classes above.
 * `target` is what the user asked for ("example.com:80"), used in the message.
 */
export function classifyError(err: unknown, target?: string, details: { size?: number } = {}): NetError {
  if (err instanceof NetError) return err;
  const e = (err ?? {}) as SystemErrorLike;
  const where =
    target ?? (e.address ? `${e.address}${e.port !== undefined ? `:${e.port}` : ''}` : 'the peer');
  switch (e.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
    case 'EAI_NODATA':
      return new NameResolutionError(e.hostname ?? target ?? 'unknown', { cause: err });
    case 'ECONNREFUSED':
      return new ConnectionRefusedError(where, { cause: err });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      // A TCP server reports its bind failure from listen(); a UDP socket from bind().
      return e.syscall === 'bind' || e.syscall === 'listen'
        ? new NetworkError(`cannot bind ${where}: no such local address (${e.code})`, { cause: err })
        : new HostUnreachableError(where, { cause: err });
    case 'ETIMEDOUT':
      return new TimeoutError(`connection to ${where}`, 0, { cause: err });
    case 'ECONNRESET':
    case 'EPIPE':
      return new ConnectionResetError(where, { cause: err });
    case 'EADDRINUSE':
      return new AddressInUseError(where, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new PermissionDeniedError(e.syscall ? `${e.syscall} ${where}` : where, { cause: err });
    case 'EMSGSIZE':
      return new MessageTooLongError(details.size ?? 0, { cause: err });
    default:
      return new NetworkError(
        `${e.syscall ? `${e.syscall} ` : ''}${where} failed: ${e.code ?? e.message ?? String(err)}`,
        { cause: err },
      );
  }
}

/**
 * For CLIs: print one clear line for a known error (a stack only for bugs) and return the
 * exit code to use.
 */
export function reportFatal(
  err: unknown,
  write: (line: string) => void = (l) => process.stderr.write(l),
): number {
  if (err instanceof NetError) {
    write(`error: ${err.message}\n`);
    return err.exitCode;
  }
  const classified = classifyError(err);
  if (!(classified instanceof NetworkError)) {
    write(`error: ${classified.message}\n`);
    return classified.exitCode;
  }
  const sys = err as SystemErrorLike;
  if (sys?.code) {
    // A system error names its syscall; any other coded error (a library's own) says
    // best what went wrong in its own message.
    write(`error: ${sys.syscall ? classified.message : (sys.message ?? classified.message)}\n`);
    return classified.exitCode;
  }
  write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}

/** The one JSON error body of every HTTP API in the project. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * Status and body for anything an HTTP handler throws: a coded error answers with its own
 * status, code and message; a framework's error that carries a 4xx `statusCode` and a `code`
 * (fastify's `FST_ERR_…`; `FOPNP_ERR_BAD_REQUEST` without one) with those; anything else is a 500 that names no internals
 * (log it before answering).
 */
export function httpErrorOf(err: unknown): { statusCode: number; body: ErrorBody } {
  if (err instanceof NetError) return { statusCode: err.statusCode, body: errorBody(err.code, err.message) };
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown } | null;
  if (e && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = typeof e.code === 'string' ? e.code : NET_ERRORS.codes.BAD_REQUEST;
    return { statusCode: e.statusCode, body: errorBody(code, String(e.message)) };
  }
  const internal = NET_ERRORS.describe('INTERNAL');
  return { statusCode: internal.statusCode, body: errorBody(internal.code, internal.message) };
}

/** Something to answer on: Node's `ServerResponse`, or anything with the same two calls. */
export interface ErrorResponse {
  headersSent: boolean;
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(body: string): unknown;
  destroy(): unknown;
}

/**
 * Answers a plain `node:http` request with the JSON error body (`httpErrorOf`); a response
 * already under way is cut off, since its status line is gone. Fastify services send
 * `httpErrorOf(err)` from `setErrorHandler` instead.
 */
export function writeHttpError(res: ErrorResponse, err: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { statusCode, body } = httpErrorOf(err);
  res.writeHead(statusCode, { 'content-type': 'application/json', ...headers });
  res.end(`${JSON.stringify(body)}\n`);
}
