/**
 * The JSON-RPC side's own methods: the book's `lengths` (jsonrpc_server.py) and the
 * methods the JSON-RPC 2.0 specification's examples call (section 7), so a reader can
 * replay the specification against the server exactly as written.
 */
import { LENGTHS_DOC, lengths } from '../book/functions.js';
import { InvalidParamsError } from '../errors.js';
import type { RpcMethod } from '../methods.js';

export const lengthsMethod: RpcMethod = {
  name: 'lengths',
  help: LENGTHS_DOC,
  params: [],
  variadic: true,
  returns: 'array',
  call: (args) => lengths(args),
};

const numbers = (method: string, args: unknown[]): number[] => {
  if (!args.every((a) => typeof a === 'number'))
    throw new InvalidParamsError(`${method}: every argument is a number`);
  return args as number[];
};

/** subtract, sum, update, get_data, notify_hello, notify_sum: what the spec's examples call. */
export const specExampleMethods: readonly RpcMethod[] = [
  {
    name: 'subtract',
    help: "subtract(minuend, subtrahend): the JSON-RPC 2.0 specification's example method.",
    params: [
      { name: 'minuend', type: 'double' },
      { name: 'subtrahend', type: 'double' },
    ],
    returns: 'double',
    call: ([a, b]) => (a as number) - (b as number),
  },
  {
    name: 'sum',
    help: "sum(...numbers): the specification's batch example.",
    params: [],
    variadic: true,
    returns: 'double',
    call: (args) => numbers('sum', args).reduce((x, y) => x + y, 0),
  },
  {
    name: 'update',
    help: "update(...): the specification's notification example; does nothing.",
    params: [],
    variadic: true,
    returns: 'boolean',
    call: () => true,
  },
  {
    name: 'get_data',
    help: 'get_data(): the specification\'s example; returns ["hello", 5].',
    params: [],
    returns: 'array',
    call: () => ['hello', 5],
  },
  {
    name: 'notify_hello',
    help: "notify_hello(n): the specification's notification example; returns n.",
    params: [{ name: 'n', type: 'any' }],
    returns: 'string',
    call: ([n]) => n,
  },
  {
    name: 'notify_sum',
    help: "notify_sum(...numbers): the specification's notification example.",
    params: [],
    variadic: true,
    returns: 'double',
    call: (args) => numbers('notify_sum', args).reduce((x, y) => x + y, 0),
  },
];
