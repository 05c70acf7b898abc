/**
 * The book's functions (chapter 18): xmlrpc_server.py's addtogether, quadratic and
 * remote_repr, and jsonrpc_server.py's lengths. The XML-RPC three run with Python's
 * semantics (see ../xmlrpc/python.ts) so Python's own client cannot tell them from the originals.
 */
import {
  type BookFunction,
  PyException,
  pyAdd,
  pyFloatSetOrder,
  pyMul,
  pyNeg,
  pySqrt,
  pySub,
  pyTrueDiv,
} from '../xmlrpc/python.js';
import type { XmlRpcValue } from '../xmlrpc/values.js';

export type { BookFunction } from '../xmlrpc/python.js';

/** addtogether(*things): reduce(operator.add, things). */
export function addtogether(things: XmlRpcValue[]): XmlRpcValue {
  if (things.length === 0)
    throw new PyException('TypeError', 'reduce() of empty iterable with no initial value');
  let acc: XmlRpcValue = things[0]!;
  for (let i = 1; i < things.length; i++) acc = pyAdd(acc, things[i]!);
  return acc;
}

/** quadratic(a, b, c): the x with a*x*x + b*x + c == 0, exactly as the book computes them. */
export function quadratic(a: XmlRpcValue, b: XmlRpcValue, c: XmlRpcValue): number[] {
  // b24ac = math.sqrt(b*b - 4.0*a*c)
  const b24ac = pySqrt(pySub(pyMul(b, b), pyMul(pyMul(4.0, a), c)));
  // (-b-b24ac) / 2.0*a  parses as  ((-b - b24ac) / 2.0) * a  (the book's precedence, kept)
  const minusB = pyNeg(b);
  const x1 = pyMul(pyTrueDiv(pySub(minusB, b24ac), 2.0), a) as number;
  const x2 = pyMul(pyTrueDiv(pySub(minusB, -b24ac), 2.0), a) as number;
  return pyFloatSetOrder([x1, x2]);
}

export const BOOK_XMLRPC_FUNCTIONS: readonly BookFunction[] = [
  {
    name: 'addtogether',
    doc: 'Add together everything in the list `things`.',
    call: (args) => addtogether(args),
  },
  {
    name: 'quadratic',
    doc: 'Determine `x` values satisfying: `a` * x*x + `b` * x + c == 0',
    params: ['a', 'b', 'c'],
    call: (args) => quadratic(args[0]!, args[1]!, args[2]!),
  },
  {
    name: 'remote_repr',
    doc: 'Return the `repr()` rendering of the supplied `arg`.',
    params: ['arg'],
    call: (args) => args[0]!,
  },
];

/** Python's len() for a JSON value, or null where len() raises TypeError. */
function pyLen(v: unknown): number | null {
  if (typeof v === 'string') return [...v].length; // code points, as Python counts
  if (Array.isArray(v)) return v.length;
  if (v !== null && typeof v === 'object') return Object.keys(v).length;
  return null;
}

/**
 * lengths(*args) from jsonrpc_server.py: for each argument, [len(arg), arg], with null
 * where the argument has no length.
 */
export function lengths(args: unknown[]): [number | null, unknown][] {
  return args.map((arg) => [pyLen(arg), arg]);
}

export const LENGTHS_DOC = `Measure the length of each input argument.

Given N arguments, this function returns a list of N smaller
lists of the form [len(arg), arg] that each state the length of
an input argument and also echo back the argument itself.`;
