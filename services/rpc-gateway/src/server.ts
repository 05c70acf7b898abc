/**
 * The HTTP face: POST /RPC2 (and /, as Python's SimpleXMLRPCRequestHandler accepts) for
 * XML-RPC, POST /jsonrpc for JSON-RPC 2.0. Bodies are size-capped before parsing, and a
 * bad body is answered with a fault or an error object; nothing one client sends can
 * stop the server. Not listening yet: the caller listens (tests use port 0).
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { type Logger, writeHttpError } from '@fopnp/net';
import { AccessControl, InvalidTokenError, type Principal } from './auth.js';
import { BOOK_XMLRPC_FUNCTIONS } from './book/functions.js';
import { DEFAULT_SERVER_OPTIONS } from './config.js';
import { MethodNotAllowedError, NoRouteError, PROTOCOL_CODES, RPC_ERRORS } from './errors.js';
import type { Gateway } from './gateway/gateway.js';
import { JsonRpcDispatcher } from './jsonrpc/dispatcher.js';
import { lengthsMethod, specExampleMethods } from './jsonrpc/methods.js';
import type { RpcMethod } from './methods.js';
import { XmlRpcDispatcher } from './xmlrpc/dispatcher.js';
import { encodeFault } from './xmlrpc/encode.js';
import { DEFAULT_MAX_DEPTH, FAULT_INVALID_CHARACTER } from './xmlrpc/parse.js';
import { Fault } from './xmlrpc/values.js';

export const XMLRPC_PATHS = ['/RPC2', '/'] as const;

/** A bad bearer token gets access-denied's code (with HTTP 401), on either protocol. */
const INVALID_TOKEN = RPC_ERRORS.specs.ACCESS_DENIED.rpcCode;
const { INVALID_REQUEST } = PROTOCOL_CODES;
export const JSONRPC_PATH = '/jsonrpc';

export interface RpcServerOptions {
  /** Gateway methods to serve on both protocols; none when omitted (the book's server). */
  gateway?: Gateway;
  /** Serve the JSON-RPC specification's example methods (subtract, sum, ...). @default true */
  specExamples?: boolean;
  /** Write None as <nil/> (Python's allow_none). @default true */
  allowNone?: boolean;
  /** Largest request body in bytes. @default 1 MiB */
  maxBodyBytes?: number;
  /** Deepest XML element nesting. @default 64 */
  maxDepth?: number;
  /** `TOKEN=PATTERN|PATTERN` entries; none = no authentication. */
  authTokens?: readonly string[];
  /** Methods anonymous callers may use when tokens are configured. @default ['system.*'] */
  publicMethods?: readonly string[];
  logger?: Logger;
  onCall?: (protocol: 'xmlrpc' | 'jsonrpc', method: string, outcome: 'ok' | 'fault', seconds: number) => void;
  onRejected?: (reason: 'too-large' | 'bad-token' | 'bad-path' | 'bad-method' | 'bad-encoding') => void;
}

export interface RpcServer {
  server: http.Server;
  xmlrpc: XmlRpcDispatcher;
  jsonrpc: JsonRpcDispatcher;
}

class BodyTooLarge extends Error {}

/** Reads a body up to `max` bytes (counting as it streams: Content-Length can lie). */
function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createRpcServer(options: RpcServerOptions = {}): RpcServer {
  const maxBody = options.maxBodyBytes ?? DEFAULT_SERVER_OPTIONS.maxBodyBytes;
  const access = new AccessControl(
    options.authTokens ?? [],
    options.publicMethods ?? DEFAULT_SERVER_OPTIONS.publicMethods,
  );
  const gatewayMethods: RpcMethod[] = options.gateway?.methods() ?? [];
  const xmlrpc = new XmlRpcDispatcher({
    book: BOOK_XMLRPC_FUNCTIONS,
    methods: gatewayMethods,
    allowNone: options.allowNone ?? DEFAULT_SERVER_OPTIONS.allowNone,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    logger: options.logger,
    onCall: (m, o, s) => options.onCall?.('xmlrpc', m, o, s),
  });
  const jsonrpc = new JsonRpcDispatcher({
    methods: [
      lengthsMethod,
      ...((options.specExamples ?? DEFAULT_SERVER_OPTIONS.specExamples) ? specExampleMethods : []),
      ...gatewayMethods,
    ],
    logger: options.logger,
    onCall: (m, o, s) => options.onCall?.('jsonrpc', m, o, s),
  });

  const send = (
    res: http.ServerResponse,
    status: number,
    type: string,
    body: string,
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
    res.end(body);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const isXml = (XMLRPC_PATHS as readonly string[]).includes(path);
    const isJson = path === JSONRPC_PATH;
    const xmlFault = (status: number, code: number, message: string, extra: Record<string, string> = {}) =>
      send(res, status, 'text/xml', encodeFault(new Fault(code, message)), extra);
    const jsonError = (
      status: number,
      code: number,
      message: string,
      data?: string,
      extra: Record<string, string> = {},
    ) =>
      send(
        res,
        status,
        'application/json',
        JSON.stringify({ jsonrpc: '2.0', error: { code, message, ...(data ? { data } : {}) }, id: null }),
        extra,
      );

    if (!isXml && !isJson) {
      options.onRejected?.('bad-path');
      return writeHttpError(res, new NoRouteError(JSONRPC_PATH));
    }
    if (req.method !== 'POST') {
      options.onRejected?.('bad-method');
      return writeHttpError(res, new MethodNotAllowedError(req.method ?? '?'), { allow: 'POST' });
    }
    let principal: Principal;
    try {
      principal = access.principal(req.headers.authorization);
    } catch (err) {
      if (!(err instanceof InvalidTokenError)) throw err;
      options.onRejected?.('bad-token');
      const challenge = { 'www-authenticate': 'Bearer realm="rpc-gateway", error="invalid_token"' };
      return isXml
        ? xmlFault(401, INVALID_TOKEN, 'invalid bearer token', challenge)
        : jsonError(401, INVALID_TOKEN, 'invalid bearer token', undefined, challenge);
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    let raw: Buffer;
    try {
      if (declared > maxBody) throw new BodyTooLarge();
      raw = await readBody(req, maxBody);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      options.onRejected?.('too-large');
      const message = `request body exceeds ${maxBody} bytes`;
      // Close afterwards: the rest of the body is not worth reading.
      const close = { connection: 'close' };
      return isXml
        ? xmlFault(413, INVALID_REQUEST, message, close)
        : jsonError(413, INVALID_REQUEST, 'Invalid Request', message, close);
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'gzip') {
      // Python's xmlrpc.client gzips requests above its encode_threshold. The limit applies
      // to the inflated size too, so a small gzip bomb is refused like a big body.
      try {
        raw = gunzipSync(raw, { maxOutputLength: maxBody });
      } catch (err) {
        const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
        options.onRejected?.(tooBig ? 'too-large' : 'bad-encoding');
        const message = tooBig
          ? `request body inflates past ${maxBody} bytes`
          : 'request body is not valid gzip';
        return isXml
          ? xmlFault(tooBig ? 413 : 400, INVALID_REQUEST, message)
          : jsonError(tooBig ? 413 : 400, INVALID_REQUEST, 'Invalid Request', message);
      }
    } else if (encoding !== 'identity') {
      options.onRejected?.('bad-encoding');
      const message = `Content-Encoding ${encoding} is not supported (send identity or gzip)`;
      return isXml
        ? xmlFault(415, INVALID_REQUEST, message)
        : jsonError(415, INVALID_REQUEST, 'Invalid Request', message);
    }
    let text: string;
    try {
      text = utf8.decode(raw);
    } catch {
      options.onRejected?.('bad-encoding');
      return isXml
        ? xmlFault(200, FAULT_INVALID_CHARACTER, 'parse error: the body is not valid UTF-8')
        : jsonError(200, PROTOCOL_CODES.PARSE_ERROR, 'Parse error', 'the body is not valid UTF-8');
    }
    if (isXml) return send(res, 200, 'text/xml', await xmlrpc.handle(text, principal));
    const reply = await jsonrpc.handle(text, principal);
    if (reply === undefined) {
      res.writeHead(204);
      res.end();
      return;
    }
    send(res, 200, 'application/json', reply);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      options.logger?.error({ err }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  // Slow or stuck clients must not hold connections forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  return { server, xmlrpc, jsonrpc };
}
