/**
 * JSON-RPC 2.0 (https://www.jsonrpc.org/specification), all of it: positional and named
 * params, notifications (no reply), batches (mixed, each answered or not, an empty batch
 * is an Invalid Request), and the spec's error codes. Methods come from the same
 * declarations as XML-RPC's gateway methods (methods.ts).
 */
import type { Logger } from '@fopnp/net';
import type { Principal } from '../auth.js';
import { PROTOCOL_CODES, RpcError } from '../errors.js';
import { bindArguments, type RpcMethod } from '../methods.js';

export const { PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL_ERROR } =
  PROTOCOL_CODES;

const MESSAGES: Record<number, string> = {
  [PARSE_ERROR]: 'Parse error',
  [INVALID_REQUEST]: 'Invalid Request',
  [METHOD_NOT_FOUND]: 'Method not found',
  [INVALID_PARAMS]: 'Invalid params',
  [INTERNAL_ERROR]: 'Internal error',
};

type Id = string | number | null;

export interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

export type JsonRpcResponse =
  | { jsonrpc: '2.0'; result: unknown; id: Id }
  | { jsonrpc: '2.0'; error: JsonRpcError; id: Id };

export interface JsonRpcDispatcherOptions {
  methods: readonly RpcMethod[];
  /** Most requests in one batch. @default 100 */
  maxBatch?: number;
  logger?: Logger;
  onCall?: (method: string, outcome: 'ok' | 'fault', seconds: number) => void;
}

function errorResponse(id: Id, code: number, data?: unknown): JsonRpcResponse {
  const error: JsonRpcError = { code, message: MESSAGES[code] ?? 'Server error' };
  if (data !== undefined) error.data = data;
  return { jsonrpc: '2.0', error, id };
}

/**
 * The JSON text of one response. A result JSON.stringify cannot write (an argument nested
 * a few thousand levels deep, echoed back by lengths) is that request's Internal error,
 * not an exception out of handle().
 */
function serialize(r: JsonRpcResponse): string {
  try {
    return JSON.stringify(r);
  } catch (err) {
    return JSON.stringify(
      errorResponse(r.id, INTERNAL_ERROR, `the result cannot be written as JSON: ${(err as Error).message}`),
    );
  }
}

const isId = (v: unknown): v is Id =>
  v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

export class JsonRpcDispatcher {
  private readonly methods = new Map<string, RpcMethod>();
  private readonly maxBatch: number;

  constructor(private readonly options: JsonRpcDispatcherOptions) {
    for (const m of options.methods) this.methods.set(m.name, m);
    this.maxBatch = options.maxBatch ?? 100;
  }

  /**
   * One HTTP body in; the JSON text to send back, or undefined when nothing is to be sent
   * (a notification, or a batch of notifications). Never throws.
   */
  async handle(body: string, principal: Principal): Promise<string | undefined> {
    let message: unknown;
    try {
      message = JSON.parse(body);
    } catch {
      return JSON.stringify(errorResponse(null, PARSE_ERROR));
    }
    if (Array.isArray(message)) {
      if (message.length === 0) return JSON.stringify(errorResponse(null, INVALID_REQUEST));
      if (message.length > this.maxBatch) {
        return JSON.stringify(
          errorResponse(
            null,
            INVALID_REQUEST,
            `a batch holds at most ${this.maxBatch} requests, got ${message.length}`,
          ),
        );
      }
      const responses = await Promise.all(message.map((m) => this.one(m, principal)));
      const sent = responses.filter((r): r is JsonRpcResponse => r !== undefined);
      return sent.length ? `[${sent.map(serialize).join(',')}]` : undefined;
    }
    const response = await this.one(message, principal);
    return response === undefined ? undefined : serialize(response);
  }

  /** One Request object; undefined for a valid notification. */
  private async one(req: unknown, principal: Principal): Promise<JsonRpcResponse | undefined> {
    if (req === null || typeof req !== 'object' || Array.isArray(req))
      return errorResponse(null, INVALID_REQUEST);
    const r = req as Record<string, unknown>;
    const hasId = Object.hasOwn(r, 'id');
    const id: Id = hasId && isId(r.id) ? r.id : null;
    const params = r.params;
    if (
      r.jsonrpc !== '2.0' ||
      typeof r.method !== 'string' ||
      (hasId && !isId(r.id)) ||
      (params !== undefined && (params === null || typeof params !== 'object'))
    ) {
      return errorResponse(id, INVALID_REQUEST);
    }
    const notification = !hasId;
    const started = performance.now();
    const method = r.method.startsWith('rpc.') ? undefined : this.methods.get(r.method);
    const report = (outcome: 'ok' | 'fault') =>
      this.options.onCall?.(
        method ? method.name : '(unknown)',
        outcome,
        (performance.now() - started) / 1000,
      );
    if (!method) {
      report('fault');
      return notification ? undefined : errorResponse(id, METHOD_NOT_FOUND);
    }
    try {
      principal.authorize(method.name);
      const args = bindArguments(method, (params ?? []) as unknown[] | Record<string, unknown>);
      const result = await method.call(args, { caller: principal.name });
      report('ok');
      return notification ? undefined : { jsonrpc: '2.0', result: result === undefined ? null : result, id };
    } catch (err) {
      report('fault');
      if (notification) return undefined;
      if (err instanceof RpcError) {
        const code = err.rpcCode;
        const message = code === INVALID_PARAMS ? 'Invalid params' : err.message;
        return {
          jsonrpc: '2.0',
          error: { code, message, data: { error: err.code, message: err.message } },
          id,
        };
      }
      this.options.logger?.error({ err, method: method.name }, 'method failed unexpectedly');
      return errorResponse(id, INTERNAL_ERROR, err instanceof Error ? err.message : String(err));
    }
  }
}
