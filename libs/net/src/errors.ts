/**
 * Coded error classes shared by every service (book ch. 5, "granular" error handling).
 * Each class carries a stable `code`, a one-line human message that says what to change,
 * and the process exit code a CLI should use when it is fatal.
 */

export type NetErrorCode =
  | 'FOPNP_ERR_NAME_RESOLUTION'
  | 'FOPNP_ERR_CONNECTION_REFUSED'
  | 'FOPNP_ERR_HOST_UNREACHABLE'
  | 'FOPNP_ERR_TIMEOUT'
  | 'FOPNP_ERR_CONNECTION_RESET'
  | 'FOPNP_ERR_ADDRESS_IN_USE'
  | 'FOPNP_ERR_PERMISSION_DENIED'
  | 'FOPNP_ERR_MESSAGE_TOO_LONG'
  | 'FOPNP_ERR_INCOMPLETE_READ'
  | 'FOPNP_ERR_FRAME_TOO_LARGE'
  | 'FOPNP_ERR_STREAM_CLOSED'
  | 'FOPNP_ERR_INVALID_CONFIG'
  | 'FOPNP_ERR_NETWORK';

/** A service's own codes (e.g. `ZEN_ERR_SERVER_BUSY`) extend the shared ones. */
export type ErrorCode = NetErrorCode | (string & {});

export class NetError extends Error {
  readonly code: ErrorCode;
  /** Exit code for a CLI that stops on this error: 2 for a usage error, as getopt's tools do. */
  readonly exitCode: number;
  override readonly cause?: unknown;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = code === 'FOPNP_ERR_INVALID_CONFIG' ? 2 : 1;
    this.cause = options?.cause;
  }
}

/** The name did not resolve: typo, no DNS, or a host that does not exist. */
export class NameResolutionError extends NetError {
  constructor(
    readonly host: string,
    options?: { cause?: unknown },
  ) {
    super(
      'FOPNP_ERR_NAME_RESOLUTION',
      `cannot resolve host name "${host}": check the spelling and your DNS`,
      options,
    );
  }
}

/** The host answered but nothing listens on the port (TCP RST). */
export class ConnectionRefusedError extends NetError {
  constructor(
    readonly target: string,
    options?: { cause?: unknown },
  ) {
    super(
      'FOPNP_ERR_CONNECTION_REFUSED',
      `connection refused by ${target}: is the server running on that port?`,
      options,
    );
  }
}

/** No route to the host or network (ICMP unreachable). */
export class HostUnreachableError extends NetError {
  constructor(
    readonly target: string,
    options?: { cause?: unknown },
  ) {
    super(
      'FOPNP_ERR_HOST_UNREACHABLE',
      `host ${target} is unreachable: check the address and your network route`,
      options,
    );
  }
}

/** Nothing answered within the deadline. */
export class TimeoutError extends NetError {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super('FOPNP_ERR_TIMEOUT', `${what} timed out after ${timeoutMs} ms`, options);
  }
}

/** The peer reset or broke the connection. */
export class ConnectionResetError extends NetError {
  constructor(
    readonly target: string,
    options?: { cause?: unknown },
  ) {
    super('FOPNP_ERR_CONNECTION_RESET', `connection to ${target} was reset by the peer`, options);
  }
}

/** bind() failed because another process holds the address. */
export class AddressInUseError extends NetError {
  constructor(
    readonly address: string,
    options?: { cause?: unknown },
  ) {
    super(
      'FOPNP_ERR_ADDRESS_IN_USE',
      `address ${address} is already in use: stop the other server or choose another port with -p`,
      options,
    );
  }
}

/** bind() or send() was refused by the operating system. */
export class PermissionDeniedError extends NetError {
  constructor(
    readonly what: string,
    options?: { cause?: unknown },
  ) {
    super(
      'FOPNP_ERR_PERMISSION_DENIED',
      `permission denied for ${what}: ports below 1024 need privileges, broadcast needs SO_BROADCAST`,
      options,
    );
  }
}

/** A datagram larger than the path MTU / socket limit (EMSGSIZE, book ch. 2 big_sender.py). */
export class MessageTooLongError extends NetError {
  constructor(
    readonly size: number,
    options?: { cause?: unknown },
  ) {
    super(
      'FOPNP_ERR_MESSAGE_TOO_LONG',
      `datagram of ${size} bytes is too long for the network (EMSGSIZE): send less than the path MTU or use TCP`,
      options,
    );
  }
}

/** EOF arrived before the bytes the protocol promised (the book's recvall). */
export class IncompleteReadError extends NetError {
  constructor(
    readonly expected: number,
    readonly received: number,
    what = 'frame',
  ) {
    super(
      'FOPNP_ERR_INCOMPLETE_READ',
      `connection closed mid-${what}: expected ${expected} bytes, received ${received} before EOF`,
    );
  }
}

/** A frame (or a line without its delimiter) exceeded the configured maximum. */
export class FrameTooLargeError extends NetError {
  constructor(
    readonly size: number,
    readonly limit: number,
    what = 'frame',
  ) {
    super('FOPNP_ERR_FRAME_TOO_LARGE', `${what} of ${size} bytes exceeds the limit of ${limit} bytes`);
  }
}

/** Read attempted on a reader that already failed or ended. */
export class StreamClosedError extends NetError {
  constructor(reason: string) {
    super('FOPNP_ERR_STREAM_CLOSED', `stream is closed: ${reason}`);
  }
}

/** An option or environment variable had an invalid value. */
export class InvalidConfigError extends NetError {
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super('FOPNP_ERR_INVALID_CONFIG', `invalid value for ${option}: ${detail}`);
  }
}

/** Any other network failure, with the system code kept in the message. */
export class NetworkError extends NetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FOPNP_ERR_NETWORK', message, options);
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
