/**
 * Coded errors of tls-inspector, declared with the kit's `defineErrors`. Each carries the
 * HTTP status the service answers with and a one-line message that says what happened and
 * what to change. Network errors from @fopnp/net (refused, unreachable, name resolution,
 * timeout) carry their own statuses (502, 504), so the CLI and the service report the same
 * words.
 */
import { defineErrors, NetError } from '@fopnp/net';

export const INSPECTOR_ERRORS = defineErrors('tls-inspector', {
  NOT_TLS: {
    statusCode: 502,
    message: (target: string, detail: string) =>
      `peer did not speak TLS at ${target} (${detail}): is this the right port, or is it plain TCP/HTTP?`,
  },
  HANDSHAKE_FAILED: {
    statusCode: 502,
    message: (target: string, reason: string) => `TLS handshake with ${target} failed: ${reason}`,
  },
  HANDSHAKE_TIMEOUT: {
    statusCode: 504,
    message: (target: string, timeoutMs: number) =>
      `TLS handshake with ${target} timed out after ${timeoutMs} ms: the peer accepted the connection but never answered (raise --handshake-timeout-ms if it is just slow)`,
  },
  PEER_CLOSED: {
    statusCode: 502,
    message: (target: string) =>
      `peer at ${target} closed the connection during the TLS handshake: it may not speak TLS, or it refused us`,
  },
  CERT_FILE: {
    statusCode: 500,
    message: (path: string, detail: string) => `cannot use certificate file ${path}: ${detail}`,
  },
  ADDRESS_REFUSED: {
    statusCode: 403,
    message: (host: string, list: string) =>
      `refusing to connect to ${host}: it resolves to ${list}, which this service may not reach; set ALLOW_PRIVATE=true or add the range to ALLOW_CIDRS to allow it`,
  },
  /** A query parameter (or, on the command line, an argument) is missing or invalid. */
  BAD_REQUEST: { statusCode: 400, message: (detail: string) => `bad request: ${detail}` },
  /** A command line that asks for two things at once, or a bad PORT argument: exit 2. */
  USAGE: { statusCode: 400, exitCode: 2, message: (detail: string) => detail },
  RATE_LIMITED: {
    statusCode: 429,
    message: (client: string, retryAfterSeconds: number) =>
      `too many requests from ${client}: try again in ${retryAfterSeconds} s (limit RATE_LIMIT_PER_MINUTE)`,
  },
  BUSY: {
    statusCode: 503,
    message: (limit: number) =>
      `all ${limit} inspection slots are busy: try again shortly (limit MAX_CONCURRENT)`,
  },
  /** The API only answers GET. */
  METHOD_NOT_ALLOWED: { statusCode: 405, message: () => 'use GET' },
  /** A path the API does not have. */
  NO_ROUTE: { statusCode: 404, message: () => 'no such path; try /inspect or /scan' },
});

export type InspectorErrorCode = (typeof INSPECTOR_ERRORS.codes)[keyof typeof INSPECTOR_ERRORS.codes];

/** Base of tls-inspector's own errors. */
export class InspectorError extends NetError {}

/** The port answered, but not with TLS (an HTTP server, SSH, a database…). */
export class NotTlsError extends InspectorError {
  constructor(
    readonly target: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(INSPECTOR_ERRORS.describe('NOT_TLS', target, detail), options);
  }
}

/** Both sides speak TLS but could not agree: protocol version, cipher, or a required client certificate. */
export class HandshakeFailedError extends InspectorError {
  constructor(
    readonly target: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(INSPECTOR_ERRORS.describe('HANDSHAKE_FAILED', target, reason), options);
  }
}

/** TCP connected but the TLS handshake did not finish in time (a silent or stuck peer). */
export class HandshakeTimeoutError extends InspectorError {
  constructor(
    readonly target: string,
    readonly timeoutMs: number,
  ) {
    super(INSPECTOR_ERRORS.describe('HANDSHAKE_TIMEOUT', target, timeoutMs));
  }
}

/** The peer closed or reset the connection before the handshake completed. */
export class PeerClosedError extends InspectorError {
  constructor(
    readonly target: string,
    options?: { cause?: unknown },
  ) {
    super(INSPECTOR_ERRORS.describe('PEER_CLOSED', target), options);
  }
}

/** A certificate, key or CA file is missing or is not PEM. */
export class CertificateFileError extends InspectorError {
  constructor(
    readonly path: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(INSPECTOR_ERRORS.describe('CERT_FILE', path, detail), options);
  }
}

/** The target resolves only to addresses the service may not reach (SSRF protection). */
export class AddressRefusedError extends InspectorError {
  constructor(
    readonly host: string,
    readonly refusals: { address: string; category: string }[],
  ) {
    const list = refusals.map((r) => `${r.address} (${r.category})`).join(', ');
    super(INSPECTOR_ERRORS.describe('ADDRESS_REFUSED', host, list));
  }
}

/** A query parameter is missing or invalid. */
export class BadRequestError extends InspectorError {
  constructor(detail: string) {
    super(INSPECTOR_ERRORS.describe('BAD_REQUEST', detail));
  }
}

/** This client asked too often. */
export class RateLimitedError extends InspectorError {
  constructor(
    readonly client: string,
    readonly retryAfterSeconds: number,
  ) {
    super(INSPECTOR_ERRORS.describe('RATE_LIMITED', client, retryAfterSeconds));
  }
}

/** Every inspection slot is taken. */
export class BusyError extends InspectorError {
  constructor(readonly limit: number) {
    super(INSPECTOR_ERRORS.describe('BUSY', limit));
  }
}

/** A command line that asks for two things at once, or a bad PORT argument. */
export class UsageError extends InspectorError {
  constructor(detail: string) {
    super(INSPECTOR_ERRORS.describe('USAGE', detail));
  }
}

/** A method the API does not answer. */
export class MethodNotAllowedError extends InspectorError {
  constructor() {
    super(INSPECTOR_ERRORS.describe('METHOD_NOT_ALLOWED'));
  }
}

/** A path the API does not have. */
export class NoRouteError extends InspectorError {
  constructor() {
    super(INSPECTOR_ERRORS.describe('NO_ROUTE'));
  }
}
