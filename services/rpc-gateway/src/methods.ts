/**
 * The gateway's methods are declared once and served over both protocols: a name, help
 * text, typed parameters and a call. XML-RPC introspection (system.methodSignature and
 * system.methodHelp) and JSON-RPC named parameters both come from this declaration.
 */
import { InvalidParamsError } from './errors.js';

/** XML-RPC type names, used in signatures and to check arguments ('any': no check, shown as 'any'). */
export type RpcType = 'string' | 'int' | 'double' | 'boolean' | 'array' | 'struct' | 'base64' | 'any';

export interface ParamSpec {
  name: string;
  type: RpcType;
  optional?: boolean;
  description?: string;
}

export interface CallContext {
  /** Who is calling (for logs); 'anonymous' without a token. */
  caller: string;
}

export interface RpcMethod {
  name: string;
  help: string;
  params: readonly ParamSpec[];
  returns: RpcType;
  /** Takes every remaining positional argument (the book's *args). */
  variadic?: boolean;
  call(args: unknown[], ctx: CallContext): unknown;
}

/** XML-RPC signatures: one [returns, ...params] per accepted arity. */
export function signaturesOf(m: RpcMethod): string[][] {
  const required = m.params.filter((p) => !p.optional).length;
  const out: string[][] = [];
  for (let n = required; n <= m.params.length; n++) {
    out.push([m.returns, ...m.params.slice(0, n).map((p) => p.type)]);
  }
  return out;
}

function typeOk(type: RpcType, v: unknown): boolean {
  switch (type) {
    case 'any':
      return true;
    case 'string':
      return typeof v === 'string';
    case 'int':
      return typeof v === 'number' && Number.isInteger(v);
    case 'double':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'base64':
      return Buffer.isBuffer(v);
    case 'struct':
      return v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);
  }
}

/**
 * Positional or named arguments → the positional list the method takes, or
 * InvalidParamsError saying which parameter is wrong.
 */
export function bindArguments(m: RpcMethod, given: unknown[] | Record<string, unknown>): unknown[] {
  const usage = `${m.name}(${m.params.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(', ')}${m.variadic ? '...' : ''})`;
  let args: unknown[];
  if (Array.isArray(given)) {
    args = given;
  } else {
    if (m.variadic) throw new InvalidParamsError(`${usage} takes positional arguments only`);
    const known = new Set(m.params.map((p) => p.name));
    const unknown = Object.keys(given).filter((k) => !known.has(k));
    if (unknown.length) throw new InvalidParamsError(`${usage} has no parameter ${unknown.join(', ')}`);
    args = [];
    for (const p of m.params) {
      if (Object.hasOwn(given, p.name)) args.push(given[p.name]);
      else if (!p.optional) throw new InvalidParamsError(`${usage}: missing ${p.name}`);
      else break;
    }
  }
  const required = m.params.filter((p) => !p.optional).length;
  if (args.length < required || (!m.variadic && args.length > m.params.length)) {
    const expected = required === m.params.length ? `${required}` : `${required} to ${m.params.length}`;
    throw new InvalidParamsError(`${usage} takes ${expected} argument(s), got ${args.length}`);
  }
  m.params.forEach((p, i) => {
    if (i < args.length && !typeOk(p.type, args[i])) {
      throw new InvalidParamsError(
        `${usage}: ${p.name} must be ${p.type === 'int' ? 'an int' : `a ${p.type}`}`,
      );
    }
  });
  return args;
}
