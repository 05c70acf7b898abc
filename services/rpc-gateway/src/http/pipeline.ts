/**
 * What a POSTed RPC request goes through before a dispatcher sees it, one step a function:
 * route by path (and Content-Type on `/`), POST only, the caller's token, the body read under its size cap,
 * Content-Encoding (gzip) undone under the same cap, the bytes decoded as UTF-8. A step
 * either passes its result on or stops the request with a `Rejection`, which the
 * protocol's error writer (`replies.ts`) turns into a fault or an error object.
 */
import type http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { type AccessControl, InvalidTokenError, type Principal } from '../auth.js';
import { MethodNotAllowedError, NoRouteError } from '../errors.js';

export const XMLRPC_PATHS = ['/RPC2', '/'] as const;
export const JSONRPC_PATH = '/jsonrpc';

export type RpcProtocol = 'xmlrpc' | 'jsonrpc';

/** Why a request was refused, as counted by `onRejected`. */
export type RejectionReason = 'too-large' | 'bad-token' | 'bad-path' | 'bad-method' | 'bad-encoding';

/**
 * A refused request. `kind` says what the protocol's error writer answers: a plain-text
 * HTTP error (no protocol known yet, or not a POST), a bad token, an invalid request (size,
 * encoding), or a body that cannot be decoded (a parse error).
 */
export interface Rejection {
  reason: RejectionReason;
  status: number;
  kind: 'http' | 'invalid-token' | 'invalid-request' | 'parse-error';
  /** What went wrong, in words for the caller. */
  detail: string;
  /** kind 'http': the coded error answered with the kit's JSON error body. */
  error?: Error;
  headers?: Record<string, string>;
}

/** A request that passed every step: the protocol, the caller and the decoded body. */
export interface RpcRequest {
  protocol: RpcProtocol;
  principal: Principal;
  text: string;
}

export interface PipelineOptions {
  access: AccessControl;
  /** Largest request body in bytes, before and after inflating. */
  maxBodyBytes: number;
}

class Rejected extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.detail);
  }
}

const reject = (rejection: Rejection): never => {
  throw new Rejected(rejection);
};

/**
 * JSON bodies by their Content-Type: application/json, jsonrpclib's application/json-rpc,
 * application/jsonrequest (JSON-RPC over HTTP's draft), or any +json type.
 */
const JSON_TYPE = /^application\/(json|json-rpc|jsonrequest|[\w.-]+\+json)\s*(;|$)/i;

/**
 * The protocol a request is for, or a 404. `/` serves both, told apart by Content-Type
 * as the book's servers are: its jsonrpc_server.py answers JSON-RPC on `/` (jsonrpclib's
 * client posts there with `application/json-rpc`), its xmlrpc_server.py XML-RPC (`text/xml`).
 */
export function route(req: http.IncomingMessage): RpcProtocol {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === '/' && JSON_TYPE.test(req.headers['content-type'] ?? '')) return 'jsonrpc';
  if ((XMLRPC_PATHS as readonly string[]).includes(path)) return 'xmlrpc';
  if (path === JSONRPC_PATH) return 'jsonrpc';
  const error = new NoRouteError(JSONRPC_PATH);
  return reject({ reason: 'bad-path', status: 404, kind: 'http', detail: error.message, error });
}

/** RPC calls are POSTed; anything else is a 405. */
export function requirePost(req: http.IncomingMessage): void {
  if (req.method === 'POST') return;
  const error = new MethodNotAllowedError(req.method ?? '?');
  reject({
    reason: 'bad-method',
    status: 405,
    kind: 'http',
    detail: error.message,
    error,
    headers: { allow: 'POST' },
  });
}

/** The caller named by the Authorization header (anonymous without one). */
export function authenticate(req: http.IncomingMessage, access: AccessControl): Principal {
  try {
    return access.principal(req.headers.authorization);
  } catch (err) {
    if (!(err instanceof InvalidTokenError)) throw err;
    return reject({
      reason: 'bad-token',
      status: 401,
      kind: 'invalid-token',
      detail: 'invalid bearer token',
      headers: { 'www-authenticate': 'Bearer realm="rpc-gateway", error="invalid_token"' },
    });
  }
}

const tooLarge = (max: number): Rejection => ({
  reason: 'too-large',
  status: 413,
  kind: 'invalid-request',
  detail: `request body exceeds ${max} bytes`,
  // Close afterwards: the rest of the body is not worth reading.
  headers: { connection: 'close' },
});

/** Reads a body up to `max` bytes (counting as it streams: Content-Length can lie). */
export function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > max) return Promise.reject(new Rejected(tooLarge(max)));
  return new Promise((resolve, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.pause();
        fail(new Rejected(tooLarge(max)));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

/**
 * Undoes Content-Encoding. Python's xmlrpc.client gzips requests above its
 * encode_threshold. The limit applies to the inflated size too, so a small gzip bomb is
 * refused like a big body.
 */
export function inflate(req: http.IncomingMessage, raw: Buffer, max: number): Buffer {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return raw;
  if (encoding !== 'gzip') {
    return reject({
      reason: 'bad-encoding',
      status: 415,
      kind: 'invalid-request',
      detail: `Content-Encoding ${encoding} is not supported (send identity or gzip)`,
    });
  }
  try {
    return gunzipSync(raw, { maxOutputLength: max });
  } catch (err) {
    const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    return reject(
      tooBig
        ? {
            reason: 'too-large',
            status: 413,
            kind: 'invalid-request',
            detail: `request body inflates past ${max} bytes`,
          }
        : {
            reason: 'bad-encoding',
            status: 400,
            kind: 'invalid-request',
            detail: 'request body is not valid gzip',
          },
    );
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text; bytes that are not UTF-8 are a parse error (HTTP 200, as both specs answer). */
export function decodeUtf8(raw: Buffer): string {
  try {
    return utf8.decode(raw);
  } catch {
    return reject({
      reason: 'bad-encoding',
      status: 200,
      kind: 'parse-error',
      detail: 'the body is not valid UTF-8',
    });
  }
}

/**
 * Runs every step. Resolves with the request, or with the rejection and the protocol
 * (when the path named one) so the caller answers in that protocol's terms.
 */
export async function receive(
  req: http.IncomingMessage,
  options: PipelineOptions,
): Promise<{ ok: true; request: RpcRequest } | { ok: false; rejection: Rejection; protocol?: RpcProtocol }> {
  let protocol: RpcProtocol | undefined;
  try {
    protocol = route(req);
    requirePost(req);
    const principal = authenticate(req, options.access);
    const raw = inflate(req, await readBody(req, options.maxBodyBytes), options.maxBodyBytes);
    return { ok: true, request: { protocol, principal, text: decodeUtf8(raw) } };
  } catch (err) {
    if (!(err instanceof Rejected)) throw err;
    return { ok: false, rejection: err.rejection, protocol };
  }
}
