/**
 * The HTTP face: POST /RPC2 (and /, as Python's SimpleXMLRPCRequestHandler accepts) for
 * XML-RPC, POST /jsonrpc for JSON-RPC 2.0. Each request goes through the pipeline in
 * `http/pipeline.ts` (path, method, token, size-capped body, gzip, UTF-8); a refused one
 * is answered by its protocol's error writer (`http/replies.ts`); nothing one client
 * sends can stop the server. Not listening yet: the caller listens (tests use port 0).
 */
import http from 'node:http';
import type { Logger } from '@fopnp/net';
import { AccessControl } from './auth.js';
import { BOOK_XMLRPC_FUNCTIONS } from './book/functions.js';
import { DEFAULT_SERVER_OPTIONS } from './config.js';
import type { Gateway } from './gateway/gateway.js';
import { type RejectionReason, receive } from './http/pipeline.js';
import { send, writeRejection } from './http/replies.js';
import { JsonRpcDispatcher } from './jsonrpc/dispatcher.js';
import { lengthsMethod, specExampleMethods } from './jsonrpc/methods.js';
import type { RpcMethod } from './methods.js';
import { XmlRpcDispatcher } from './xmlrpc/dispatcher.js';
import { DEFAULT_MAX_DEPTH } from './xmlrpc/parse.js';

export { JSONRPC_PATH, XMLRPC_PATHS } from './http/pipeline.js';

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
  onRejected?: (reason: RejectionReason) => void;
}

export interface RpcServer {
  server: http.Server;
  xmlrpc: XmlRpcDispatcher;
  jsonrpc: JsonRpcDispatcher;
}

export function createRpcServer(options: RpcServerOptions = {}): RpcServer {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_SERVER_OPTIONS.maxBodyBytes;
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

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const received = await receive(req, { access, maxBodyBytes });
    if (!received.ok) {
      options.onRejected?.(received.rejection.reason);
      return writeRejection(res, received.rejection, received.protocol);
    }
    const { protocol, principal, text } = received.request;
    if (protocol === 'xmlrpc') return send(res, 200, 'text/xml', await xmlrpc.handle(text, principal));
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
      // A client that hangs up before its reply (Node's "aborted", ECONNRESET) is routine:
      // one line at debug, no stack. Anything else is a bug of ours and logged as one.
      if (req.destroyed || res.destroyed) {
        const code = (err as NodeJS.ErrnoException)?.code;
        options.logger?.debug({ code, path: req.url }, 'client went away before the reply');
        return;
      }
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
