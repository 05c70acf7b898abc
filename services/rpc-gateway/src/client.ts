/**
 * The chapter's clients: an XML-RPC client like Python's xmlrpc.client.ServerProxy (with
 * MultiCall), and a JSON-RPC 2.0 client. Both use fetch with a keep-alive pool.
 */
import { NetError, TimeoutError } from '@fopnp/net';
import { CLIENT_ERRORS } from './errors.js';
import { encodeCall } from './xmlrpc/encode.js';
import { parseMethodResponse } from './xmlrpc/parse.js';
import { Fault, type XmlRpcValue } from './xmlrpc/values.js';

export interface ClientOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** @default 10000 */
  timeoutMs?: number;
  /** Send null as <nil/>. @default true */
  allowNone?: boolean;
}

/**
 * The HTTP status was not 200: the transport failed, not the call (Python's ProtocolError).
 * A coded error, so a command prints it as one line.
 */
export class ProtocolError extends NetError {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    // The first line of the body, shortened: a 404 page is no message for a terminal.
    const line = body.trim().split('\n')[0]!.slice(0, 200);
    super(CLIENT_ERRORS.describe('HTTP_STATUS', url, status, line));
  }
}

async function post(url: string, body: string, type: string, options: ClientOptions): Promise<Response> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers: Record<string, string> = { 'content-type': type, 'user-agent': 'fopnp-rpc-gateway' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  try {
    return await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    if (err instanceof Error && err.name === 'TimeoutError') throw new TimeoutError(`POST ${url}`, timeoutMs);
    throw err instanceof TypeError && err.cause ? err.cause : err;
  }
}

export class XmlRpcClient {
  constructor(
    /** e.g. http://127.0.0.1:7001/RPC2 */
    readonly url: string,
    private readonly options: ClientOptions = {},
  ) {}

  /** Calls a method; a fault rejects with Fault (faultCode, faultString). */
  async call(method: string, ...params: XmlRpcValue[]): Promise<XmlRpcValue> {
    const res = await post(
      this.url,
      encodeCall(method, params, { allowNone: this.options.allowNone ?? true }),
      'text/xml',
      this.options,
    );
    const text = await res.text();
    if (res.status !== 200) throw new ProtocolError(this.url, res.status, text);
    const reply = parseMethodResponse(text);
    if ('fault' in reply) throw reply.fault;
    return reply.value;
  }

  /**
   * Python's MultiCall: several calls in one request. Each result is a value or a Fault
   * (returned, not thrown, so the caller sees them all).
   */
  async multicall(calls: { method: string; params: XmlRpcValue[] }[]): Promise<(XmlRpcValue | Fault)[]> {
    const list = calls.map(
      (c) =>
        new Map<string, XmlRpcValue>([
          ['methodName', c.method],
          ['params', c.params],
        ]),
    );
    const results = await this.call('system.multicall', list);
    if (!Array.isArray(results)) throw new Error('system.multicall did not return an array');
    return results.map((r) => {
      if (Array.isArray(r) && r.length === 1) return r[0]!;
      if (r instanceof Map) return new Fault(Number(r.get('faultCode')), String(r.get('faultString')));
      throw new Error('unexpected multicall result entry');
    });
  }
}

export class JsonRpcCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`${message} (${code})`);
    this.name = 'JsonRpcCallError';
  }
}

export class JsonRpcClient {
  private nextId = 1;

  constructor(
    /** e.g. http://127.0.0.1:7001/jsonrpc */
    readonly url: string,
    private readonly options: ClientOptions = {},
  ) {}

  /** Sends raw JSON text; returns the parsed reply, or undefined for 204 (notifications). */
  async send(body: string): Promise<unknown> {
    const res = await post(this.url, body, 'application/json', this.options);
    if (res.status === 204) return undefined;
    const text = await res.text();
    if (res.status !== 200) throw new ProtocolError(this.url, res.status, text);
    return JSON.parse(text);
  }

  async call(method: string, params: unknown[] | Record<string, unknown> = []): Promise<unknown> {
    const reply = (await this.send(
      JSON.stringify({ jsonrpc: '2.0', method, params, id: this.nextId++ }),
    )) as {
      result?: unknown;
      error?: { code: number; message: string; data?: unknown };
    };
    if (reply.error) {
      const d = reply.error.data as { message?: string } | undefined;
      throw new JsonRpcCallError(reply.error.code, d?.message ?? reply.error.message, reply.error.data);
    }
    return reply.result;
  }

  async notify(method: string, params: unknown[] | Record<string, unknown> = []): Promise<void> {
    await this.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }
}
