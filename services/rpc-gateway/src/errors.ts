/**
 * The gateway's coded errors, declared with the kit's `defineErrors`, and every numeric fault
 * code the service sends. Each gateway error becomes an XML-RPC fault or a JSON-RPC error
 * with its `rpcCode` (JSON-RPC reserves -32000..-32099 for "implementation-defined server
 * errors"; XML-RPC has no registry, so we use the same numbers). Faults travel in HTTP 200
 * answers, hence `statusCode: 200`. Every message names the downstream service and says
 * what to check.
 */
import { defineErrors, NetError } from '@fopnp/net';

/**
 * The protocols' own codes: JSON-RPC 2.0's (-32700, -326xx) and the xmlrpc-epi fault code
 * interoperability convention's (-32701, -32702), which XML-RPC shares; 1 is what Python's
 * SimpleXMLRPCServer sends for any exception.
 */
export const PROTOCOL_CODES = {
  /** Not well-formed XML, invalid JSON, or any <!DOCTYPE>. */
  PARSE_ERROR: -32700,
  /** XML-RPC: an encoding other than UTF-8 declared. */
  UNSUPPORTED_ENCODING: -32701,
  /** XML-RPC: bytes that are not valid UTF-8. */
  INVALID_CHARACTER: -32702,
  /** Well-formed, but not a valid request (or too large). */
  INVALID_REQUEST: -32600,
  /** JSON-RPC: no such method. */
  METHOD_NOT_FOUND: -32601,
  /** Arguments of the wrong number or type. */
  INVALID_PARAMS: -32602,
  /** A bug: logged with its stack. */
  INTERNAL_ERROR: -32603,
  /** XML-RPC: a Python exception, as Python's xmlrpc.server reports it. */
  PYTHON_EXCEPTION: 1,
} as const;

const downstream = (service: string, target: string, detail: string) => `${service} (${target}): ${detail}`;

export const RPC_ERRORS = defineErrors('rpc-gateway', {
  /** Bearer token valid, but this method is not in its allowed list (or no token sent). */
  ACCESS_DENIED: {
    rpcCode: -32001,
    statusCode: 200,
    message: (method: string, who: string) =>
      `access denied: ${who} may not call ${method} (send a bearer token whose allowed methods include it)`,
  },
  /** The downstream service refused the connection, is unreachable, or its name does not resolve. */
  SERVICE_UNAVAILABLE: { rpcCode: -32010, statusCode: 200, message: downstream },
  /** The downstream service did not answer within the per-call timeout. */
  SERVICE_TIMEOUT: { rpcCode: -32011, statusCode: 200, message: downstream },
  /** Too many recent failures: the circuit breaker is open and calls fail at once. */
  CIRCUIT_OPEN: { rpcCode: -32012, statusCode: 200, message: downstream },
  /** The downstream service answered with something its protocol does not allow. */
  BAD_REPLY: { rpcCode: -32013, statusCode: 200, message: downstream },
  /** The downstream service answered with an error of its own (passed on, not a failure of it). */
  SERVICE_REJECTED: { rpcCode: -32014, statusCode: 200, message: downstream },
  /** Arguments of the wrong number or type. */
  INVALID_PARAMS: {
    rpcCode: PROTOCOL_CODES.INVALID_PARAMS,
    statusCode: 200,
    message: (message: string) => message,
  },
});

/** HTTP requests that never reached a protocol: the project's one JSON error body. */
export const HTTP_ERRORS = defineErrors('rpc-gateway', {
  NO_ROUTE: {
    statusCode: 404,
    message: (jsonPath: string) => `no RPC here; POST XML-RPC to /RPC2 or JSON-RPC 2.0 to ${jsonPath}`,
  },
  METHOD_NOT_ALLOWED: {
    statusCode: 405,
    message: (method: string) => `${method} is not supported; RPC calls are POSTed`,
  },
});

/** What the chapter's clients (client, multicall, introspect, jsonrpc-client, call) stop on. */
export const CLIENT_ERRORS = defineErrors('rpc-gateway', {
  /** The server answered an HTTP status other than 200: the transport failed, not the call. */
  HTTP_STATUS: {
    message: (url: string, status: number, body: string) =>
      `${url} answered HTTP ${status}${status === 404 ? " (no RPC at that path: give the one the server answers on, e.g. --path / for the book's jsonrpc_server.py)" : ''}${body ? `: ${body}` : ''}`,
  },
});

/** A request to a path or with a method the RPC endpoints do not answer. */
export class HttpRequestError extends NetError {}

export class NoRouteError extends HttpRequestError {
  constructor(jsonPath: string) {
    super(HTTP_ERRORS.describe('NO_ROUTE', jsonPath));
  }
}

export class MethodNotAllowedError extends HttpRequestError {
  constructor(method: string) {
    super(HTTP_ERRORS.describe('METHOD_NOT_ALLOWED', method));
  }
}

export type RpcErrorName = keyof typeof RPC_ERRORS.specs;
export type RpcErrorCode = (typeof RPC_ERRORS.codes)[RpcErrorName];

/** An error a client sees as a fault / error object, with a stable code. */
export class RpcError extends NetError {
  /** The number its XML-RPC fault or JSON-RPC error object carries, from the table. */
  get rpcCode(): number {
    return RPC_ERRORS.specs[this.code.slice(RPC_ERRORS.prefix.length) as RpcErrorName].rpcCode;
  }
}

export class AccessDeniedError extends RpcError {
  constructor(method: string, who: string) {
    super(RPC_ERRORS.describe('ACCESS_DENIED', method, who));
  }
}

export class InvalidParamsError extends RpcError {
  constructor(message: string) {
    super(RPC_ERRORS.describe('INVALID_PARAMS', message));
  }
}

/** A failure of a downstream service, always naming it and where it was looked for. */
export class ServiceError extends RpcError {
  constructor(
    name: Exclude<RpcErrorName, 'ACCESS_DENIED' | 'INVALID_PARAMS'>,
    readonly service: string,
    readonly target: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(RPC_ERRORS.describe(name, service, target, detail), options);
  }
}
