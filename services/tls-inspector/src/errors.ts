/**
 * Coded errors of tls-inspector. Each carries the HTTP status the service answers with and
 * a one-line message that says what happened and what to change. Network errors from
 * @fopnp/net (refused, unreachable, name resolution, timeout) are mapped to statuses by
 * `httpStatusOf` below, so the CLI and the service report the same words.
 */
import { NetError } from '@fopnp/net';

export const ERROR_CODES = {
  TI_ERR_NOT_TLS: 'TI_ERR_NOT_TLS',
  TI_ERR_HANDSHAKE_FAILED: 'TI_ERR_HANDSHAKE_FAILED',
  TI_ERR_HANDSHAKE_TIMEOUT: 'TI_ERR_HANDSHAKE_TIMEOUT',
  TI_ERR_PEER_CLOSED: 'TI_ERR_PEER_CLOSED',
  TI_ERR_CERT_FILE: 'TI_ERR_CERT_FILE',
  TI_ERR_ADDRESS_REFUSED: 'TI_ERR_ADDRESS_REFUSED',
  TI_ERR_BAD_REQUEST: 'TI_ERR_BAD_REQUEST',
  TI_ERR_RATE_LIMITED: 'TI_ERR_RATE_LIMITED',
  TI_ERR_BUSY: 'TI_ERR_BUSY',
} as const;
export type InspectorErrorCode = keyof typeof ERROR_CODES;

export class InspectorError extends Error {
  readonly exitCode: number = 1;
  constructor(
    readonly code: InspectorErrorCode,
    message: string,
    /** Status the HTTP API answers with. */
    readonly httpStatus: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The port answered, but not with TLS (an HTTP server, SSH, a database…). */
export class NotTlsError extends InspectorError {
  constructor(
    readonly target: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      'TI_ERR_NOT_TLS',
      `peer did not speak TLS at ${target} (${detail}): is this the right port, or is it plain TCP/HTTP?`,
      502,
      options,
    );
  }
}

/** Both sides speak TLS but could not agree: protocol version, cipher, or a required client certificate. */
export class HandshakeFailedError extends InspectorError {
  constructor(
    readonly target: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('TI_ERR_HANDSHAKE_FAILED', `TLS handshake with ${target} failed: ${reason}`, 502, options);
  }
}

/** TCP connected but the TLS handshake did not finish in time (a silent or stuck peer). */
export class HandshakeTimeoutError extends InspectorError {
  constructor(
    readonly target: string,
    readonly timeoutMs: number,
  ) {
    super(
      'TI_ERR_HANDSHAKE_TIMEOUT',
      `TLS handshake with ${target} timed out after ${timeoutMs} ms: the peer accepted the connection but never answered (raise --handshake-timeout-ms if it is just slow)`,
      504,
    );
  }
}

/** The peer closed or reset the connection before the handshake completed. */
export class PeerClosedError extends InspectorError {
  constructor(
    readonly target: string,
    options?: { cause?: unknown },
  ) {
    super(
      'TI_ERR_PEER_CLOSED',
      `peer at ${target} closed the connection during the TLS handshake: it may not speak TLS, or it refused us`,
      502,
      options,
    );
  }
}

/** A certificate, key or CA file is missing or is not PEM. */
export class CertificateFileError extends InspectorError {
  constructor(
    readonly path: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('TI_ERR_CERT_FILE', `cannot use certificate file ${path}: ${detail}`, 500, options);
  }
}

/** The target resolves only to addresses the service may not reach (SSRF protection). */
export class AddressRefusedError extends InspectorError {
  constructor(
    readonly host: string,
    readonly refusals: { address: string; category: string }[],
  ) {
    const list = refusals.map((r) => `${r.address} (${r.category})`).join(', ');
    super(
      'TI_ERR_ADDRESS_REFUSED',
      `refusing to connect to ${host}: it resolves to ${list}, which this service may not reach; set ALLOW_PRIVATE=true or add the range to ALLOW_CIDRS to allow it`,
      403,
    );
  }
}

/** A query parameter is missing or invalid. */
export class BadRequestError extends InspectorError {
  constructor(detail: string) {
    super('TI_ERR_BAD_REQUEST', `bad request: ${detail}`, 400);
  }
}

/** This client asked too often. */
export class RateLimitedError extends InspectorError {
  constructor(
    readonly client: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      'TI_ERR_RATE_LIMITED',
      `too many requests from ${client}: try again in ${retryAfterSeconds} s (limit RATE_LIMIT_PER_MINUTE)`,
      429,
    );
  }
}

/** Every inspection slot is taken. */
export class BusyError extends InspectorError {
  constructor(readonly limit: number) {
    super(
      'TI_ERR_BUSY',
      `all ${limit} inspection slots are busy: try again shortly (limit MAX_CONCURRENT)`,
      503,
    );
  }
}

/** HTTP status for any error an inspection can throw. */
export function httpStatusOf(err: unknown): number {
  if (err instanceof InspectorError) return err.httpStatus;
  if (err instanceof NetError) {
    switch (err.code) {
      case 'FOPNP_ERR_TIMEOUT':
        return 504;
      case 'FOPNP_ERR_INVALID_CONFIG':
        return 400;
      default:
        return 502;
    }
  }
  return 500;
}

/** Stable code for any error an inspection can throw. */
export function errorCodeOf(err: unknown): string {
  if (err instanceof InspectorError || err instanceof NetError) return err.code;
  return 'TI_ERR_INTERNAL';
}
