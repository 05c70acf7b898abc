/**
 * Writing replies: one error writer per protocol, each mapping a pipeline `Rejection` to
 * what that protocol's clients expect — an XML-RPC fault, a JSON-RPC 2.0 error object,
 * or plain text when the request never reached a protocol.
 */
import type http from 'node:http';
import { writeHttpError as writeCodedHttpError } from '@fopnp/net';
import { PROTOCOL_CODES, RPC_ERRORS } from '../errors.js';
import { encodeFault } from '../xmlrpc/encode.js';
import { FAULT_INVALID_CHARACTER } from '../xmlrpc/errors.js';
import { Fault } from '../xmlrpc/values.js';
import type { Rejection, RpcProtocol } from './pipeline.js';

/** A bad bearer token gets access-denied's code (with HTTP 401), on either protocol. */
const CODE_INVALID_TOKEN = RPC_ERRORS.specs.ACCESS_DENIED.rpcCode;
const CODE_INVALID_REQUEST = PROTOCOL_CODES.INVALID_REQUEST;
const CODE_PARSE_ERROR = PROTOCOL_CODES.PARSE_ERROR;

export function send(
  res: http.ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

/** The kit's JSON error body for a request that is not an RPC call at all (wrong path or method). */
export function writeHttpError(res: http.ServerResponse, r: Rejection): void {
  writeCodedHttpError(res, r.error, r.headers);
}

/** An XML-RPC fault: the code by kind, the detail as the fault string. */
export function writeXmlRpcError(res: http.ServerResponse, r: Rejection): void {
  const [code, message] =
    r.kind === 'invalid-token'
      ? [CODE_INVALID_TOKEN, r.detail]
      : r.kind === 'parse-error'
        ? [FAULT_INVALID_CHARACTER, `parse error: ${r.detail}`]
        : [CODE_INVALID_REQUEST, r.detail];
  send(res, r.status, 'text/xml', encodeFault(new Fault(code, message)), r.headers);
}

/** A JSON-RPC 2.0 error object (id null: the request was never read): the spec's message, the detail as data. */
export function writeJsonRpcError(res: http.ServerResponse, r: Rejection): void {
  const error =
    r.kind === 'invalid-token'
      ? { code: CODE_INVALID_TOKEN, message: r.detail }
      : r.kind === 'parse-error'
        ? { code: CODE_PARSE_ERROR, message: 'Parse error', data: r.detail }
        : { code: CODE_INVALID_REQUEST, message: 'Invalid Request', data: r.detail };
  send(res, r.status, 'application/json', JSON.stringify({ jsonrpc: '2.0', error, id: null }), r.headers);
}

/** Answers a rejection in the terms of the protocol the path named (plain HTTP when none did). */
export function writeRejection(
  res: http.ServerResponse,
  r: Rejection,
  protocol: RpcProtocol | undefined,
): void {
  if (r.kind === 'http' || protocol === undefined) writeHttpError(res, r);
  else if (protocol === 'xmlrpc') writeXmlRpcError(res, r);
  else writeJsonRpcError(res, r);
}
