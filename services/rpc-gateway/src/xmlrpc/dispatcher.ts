/**
 * The XML-RPC side of the server, behaving as Python's SimpleXMLRPCServer does with
 * register_introspection_functions() and register_multicall_functions(): same method
 * list, same 'signatures not supported' for untyped functions, same fault 1 with
 * "<class 'T'>:message" for a Python exception. The gateway methods add real signatures
 * and their own fault codes (errors.ts).
 */
import type { Logger } from '@fopnp/net';
import type { Principal } from '../auth.js';
import { PROTOCOL_CODES, RpcError } from '../errors.js';
import { bindArguments, type RpcMethod, signaturesOf } from '../methods.js';
import { fromPlain, toPlain } from './convert.js';
import { encodeFault, encodeResponse, MarshalError } from './encode.js';
import { FAULT_INVALID_XMLRPC, type MethodCall, parseMethodCall } from './parse.js';
import { type BookFunction, checkArity, PyException, pyStr, pyTypeName } from './python.js';
import { Fault, type XmlRpcValue } from './values.js';

export interface XmlRpcDispatcherOptions {
  /** Functions with Python's semantics (the book's three). */
  book: readonly BookFunction[];
  /** Gateway methods (plain values, typed parameters). */
  methods: readonly RpcMethod[];
  /** Send None as <nil/>. Python's SimpleXMLRPCServer default is False. @default true */
  allowNone?: boolean;
  maxDepth?: number;
  logger?: Logger;
  /** Called once per method call (multicall members included), for metrics. */
  onCall?: (method: string, outcome: 'ok' | 'fault', seconds: number) => void;
}

const NOT_SUPPORTED = 'signatures not supported';

/** Most calls in one system.multicall. */
export const MAX_MULTICALL = 1000;

type Entry =
  | { kind: 'book'; fn: BookFunction }
  | { kind: 'gateway'; method: RpcMethod }
  | {
      kind: 'system';
      doc: string;
      signature: string[][];
      call: (params: XmlRpcValue[], p: Principal) => Promise<XmlRpcValue> | XmlRpcValue;
    };

export class XmlRpcDispatcher {
  private readonly entries = new Map<string, Entry>();
  private readonly allowNone: boolean;

  constructor(private readonly options: XmlRpcDispatcherOptions) {
    this.allowNone = options.allowNone ?? true;
    const system = (
      name: string,
      doc: string,
      signature: string[][],
      call: Extract<Entry, { kind: 'system' }>['call'],
    ) => this.entries.set(name, { kind: 'system', doc, signature, call });
    system(
      'system.listMethods',
      "system.listMethods() => ['add', 'subtract', 'multiple']\n\nReturns a list of the methods supported by the server.",
      [['array']],
      (params) => {
        systemArity('listMethods', [], params.length);
        return this.listMethods();
      },
    );
    system(
      'system.methodSignature',
      "system.methodSignature('add') => [['int', 'int', 'int']]\n\nReturns the signatures of a method: each a list of the return type and the parameter types.\nFunctions without declared types (the book's) answer 'signatures not supported', as Python's server does.",
      [
        ['array', 'string'],
        ['string', 'string'],
      ],
      (params) => {
        systemArity('methodSignature', ['method_name'], params.length);
        // Python's never looks the name up (so never fails on it); ours does for strings only.
        const e = typeof params[0] === 'string' ? this.entries.get(params[0]) : undefined;
        if (e?.kind === 'gateway') return signaturesOf(e.method);
        if (e?.kind === 'system') return e.signature;
        return NOT_SUPPORTED;
      },
    );
    system(
      'system.methodHelp',
      'system.methodHelp(\'add\') => "Adds two integers together"\n\nReturns a string containing documentation for the specified method.',
      [['string', 'string']],
      (params) => {
        systemArity('methodHelp', ['method_name'], params.length);
        const e = this.lookup(params[0]!);
        if (!e) return '';
        return e.kind === 'book' ? e.fn.doc : e.kind === 'gateway' ? e.method.help : e.doc;
      },
    );
    system(
      'system.multicall',
      "system.multicall([{'methodName': 'add', 'params': [2, 2]}, ...]) => [[4], ...]\n\nAllows the caller to package multiple XML-RPC calls into a single request.\nEach result is a one-element array, or a fault struct for a call that failed.",
      [['array', 'array']],
      (params, principal) => {
        systemArity('multicall', ['call_list'], params.length);
        return this.multicall(params[0]!, principal);
      },
    );
    for (const fn of options.book) this.entries.set(fn.name, { kind: 'book', fn });
    for (const method of options.methods) this.entries.set(method.name, { kind: 'gateway', method });
  }

  /** Sorted like Python's (code point order). */
  listMethods(): string[] {
    return [...this.entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** One HTTP body in, one XML document out (a response or a fault). Never throws. */
  async handle(xml: string, principal: Principal): Promise<string> {
    let call: MethodCall;
    try {
      call = parseMethodCall(xml, { maxDepth: this.options.maxDepth });
    } catch (err) {
      return encodeFault(this.toFault(err, '(unparsed)'));
    }
    try {
      const result = await this.dispatch(call.methodName, call.params, principal);
      return encodeResponse(result, { allowNone: this.allowNone });
    } catch (err) {
      return encodeFault(this.toFault(err, call.methodName));
    }
  }

  /** `self.funcs[method]`: a string looks up; an unhashable value is Python's TypeError. */
  private lookup(name: XmlRpcValue): Entry | undefined {
    if (typeof name === 'string') return this.entries.get(name);
    if (name !== null && typeof name === 'object')
      throw new PyException('TypeError', `unhashable type: '${pyTypeName(name)}'`);
    return undefined;
  }

  /** Python's _dispatch: find the function, then call it with *params. */
  private async dispatch(name: XmlRpcValue, params: XmlRpcValue, principal: Principal): Promise<XmlRpcValue> {
    const started = performance.now();
    const label = typeof name === 'string' && this.entries.has(name) ? name : '(unknown)';
    const done = (outcome: 'ok' | 'fault') =>
      this.options.onCall?.(label, outcome, (performance.now() - started) / 1000);
    try {
      const entry = this.lookup(name);
      if (!entry) throw new PyException('Exception', `method "${pyStr(name)}" is not supported`);
      principal.authorize(name as string);
      let result: XmlRpcValue;
      if (entry.kind === 'book') {
        const args = starArgs(params, `__main__.${entry.fn.name}`);
        if (entry.fn.params) checkArity(entry.fn.name, entry.fn.params, args.length);
        result = entry.fn.call(args);
      } else if (entry.kind === 'system') {
        const method = (name as string).slice('system.'.length);
        result = await entry.call(
          starArgs(params, `xmlrpc.server.SimpleXMLRPCDispatcher.system_${method}`),
          principal,
        );
      } else {
        const args = bindArguments(entry.method, starArgs(params, entry.method.name).map(toPlain));
        result = fromPlain(await entry.method.call(args, { caller: principal.name }));
      }
      done('ok');
      return result;
    } catch (err) {
      done('fault');
      throw err;
    }
  }

  /** Python's system_multicall: each call's result in a list, or its fault as a struct. */
  private async multicall(calls: XmlRpcValue, principal: Principal): Promise<XmlRpcValue> {
    const list = pyIter(calls);
    // Python sets no limit; a gateway must, or one request could hold a connection for
    // thousands of downstream deadlines.
    if (list.length > MAX_MULTICALL) {
      throw new Fault(
        FAULT_INVALID_XMLRPC,
        `system.multicall holds at most ${MAX_MULTICALL} calls, got ${list.length}`,
      );
    }
    const results: XmlRpcValue[] = [];
    for (const call of list) {
      const methodName = subscript(call, 'methodName');
      const params = subscript(call, 'params');
      try {
        results.push([await this.dispatch(methodName, params, principal)]);
      } catch (err) {
        const f = this.toFault(err, typeof methodName === 'string' ? methodName : '(multicall)');
        results.push(
          new Map<string, XmlRpcValue>([
            ['faultCode', BigInt(f.faultCode)],
            ['faultString', f.faultString],
          ]),
        );
      }
    }
    return results;
  }

  private toFault(err: unknown, method: string): Fault {
    if (err instanceof Fault) return err;
    if (err instanceof PyException) return new Fault(PROTOCOL_CODES.PYTHON_EXCEPTION, err.faultString);
    if (err instanceof MarshalError)
      return new Fault(PROTOCOL_CODES.PYTHON_EXCEPTION, `<class '${err.pyType}'>:${err.message}`);
    if (err instanceof RpcError) return new Fault(err.rpcCode, err.message);
    this.options.logger?.error({ err, method }, 'method failed unexpectedly');
    return new Fault(
      PROTOCOL_CODES.INTERNAL_ERROR,
      `internal error in ${method}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Python's iter(): what `for call in call_list` walks (a str yields characters, a dict keys). */
function pyIter(v: XmlRpcValue): XmlRpcValue[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (v instanceof Map) return [...v.keys()];
  throw new PyException('TypeError', `'${pyTypeName(v)}' object is not iterable`);
}

/** `func(*params)`: the positional arguments, or Python's TypeError naming the function. */
function starArgs(params: XmlRpcValue, qualname: string): XmlRpcValue[] {
  if (Array.isArray(params) || typeof params === 'string' || params instanceof Map) return pyIter(params);
  throw new PyException(
    'TypeError',
    `${qualname}() argument after * must be an iterable, not ${pyTypeName(params)}`,
  );
}

/** `call[key]` with Python's errors for each kind of value. */
function subscript(call: XmlRpcValue, key: string): XmlRpcValue {
  if (call instanceof Map) {
    if (!call.has(key)) throw new PyException('KeyError', `'${key}'`);
    return call.get(key)!;
  }
  if (typeof call === 'string')
    throw new PyException('TypeError', "string indices must be integers, not 'str'");
  if (Array.isArray(call))
    throw new PyException('TypeError', 'list indices must be integers or slices, not str');
  throw new PyException('TypeError', `'${pyTypeName(call)}' object is not subscriptable`);
}

/** Arity of SimpleXMLRPCDispatcher's bound system_* methods, `self` counted as Python does. */
function systemArity(method: string, params: readonly string[], given: number): void {
  checkArity(`SimpleXMLRPCDispatcher.system_${method}`, ['self', ...params], given + 1);
}
