/**
 * The gateway's coded errors. Each becomes an XML-RPC fault or a JSON-RPC error with the
 * same numeric code (JSON-RPC reserves -32000..-32099 for "implementation-defined server
 * errors"; XML-RPC has no registry, so we use the same numbers). Every message names the
 * downstream service and says what to check.
 */

export const RPC_ERRORS = {
  /** Bearer token valid, but this method is not in its allowed list (or no token sent). */
  FOPNP_RPC_ERR_ACCESS_DENIED: { rpcCode: -32001, httpStatus: 200 },
  /** The downstream service refused the connection, is unreachable, or its name does not resolve. */
  FOPNP_RPC_ERR_SERVICE_UNAVAILABLE: { rpcCode: -32010, httpStatus: 200 },
  /** The downstream service did not answer within the per-call timeout. */
  FOPNP_RPC_ERR_SERVICE_TIMEOUT: { rpcCode: -32011, httpStatus: 200 },
  /** Too many recent failures: the circuit breaker is open and calls fail at once. */
  FOPNP_RPC_ERR_CIRCUIT_OPEN: { rpcCode: -32012, httpStatus: 200 },
  /** The downstream service answered with something its protocol does not allow. */
  FOPNP_RPC_ERR_BAD_REPLY: { rpcCode: -32013, httpStatus: 200 },
  /** The downstream service answered with an error of its own (passed on, not a failure of it). */
  FOPNP_RPC_ERR_SERVICE_REJECTED: { rpcCode: -32014, httpStatus: 200 },
  /** Arguments of the wrong number or type. */
  FOPNP_RPC_ERR_INVALID_PARAMS: { rpcCode: -32602, httpStatus: 200 },
} as const;

export type RpcErrorCode = keyof typeof RPC_ERRORS;

/** An error a client sees as a fault / error object, with a stable code. */
export class RpcError extends Error {
  readonly rpcCode: number;

  constructor(
    readonly code: RpcErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RpcError';
    this.rpcCode = RPC_ERRORS[code].rpcCode;
  }
}

export class AccessDeniedError extends RpcError {
  constructor(method: string, who: string) {
    super(
      'FOPNP_RPC_ERR_ACCESS_DENIED',
      `access denied: ${who} may not call ${method} (send a bearer token whose allowed methods include it)`,
    );
  }
}

export class InvalidParamsError extends RpcError {
  constructor(message: string) {
    super('FOPNP_RPC_ERR_INVALID_PARAMS', message);
  }
}

/** A failure of a downstream service, always naming it and where it was looked for. */
export class ServiceError extends RpcError {
  constructor(
    code: Exclude<RpcErrorCode, 'FOPNP_RPC_ERR_ACCESS_DENIED' | 'FOPNP_RPC_ERR_INVALID_PARAMS'>,
    readonly service: string,
    readonly target: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${service} (${target}): ${detail}`, options);
  }
}
