/**
 * Python's semantics over XML-RPC values, what SimpleXMLRPCServer's dispatcher and the
 * book's functions need: just enough to run the book's three functions the way CPython runs
 * them: `+` on ints, floats, strings and lists (with Python's own TypeError messages), the
 * float repr, and the iteration order of a small set of floats (the book's `quadratic`
 * returns `list(set([...]))`, so the order of its answer is CPython's hash-table order).
 */
import { XmlRpcDateTime, type XmlRpcValue } from './values.js';

/** An exception the way Python's SimpleXMLRPCServer reports it: fault 1, "<class 'T'>:message". */
export class PyException extends Error {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    super(message);
    this.name = pyType;
  }

  /** The faultString Python's server writes: "%s:%s" % (type(exc), exc). */
  get faultString(): string {
    return `<class '${this.pyType}'>:${this.message}`;
  }
}

/** The name Python's `type(x).__name__` gives a value decoded by SimpleXMLRPCServer. */
export function pyTypeName(v: XmlRpcValue): string {
  switch (typeof v) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'str';
  }
  if (v === null) return 'NoneType';
  if (Buffer.isBuffer(v)) return 'Binary'; // the server keeps use_builtin_types=False
  if (v instanceof XmlRpcDateTime) return 'DateTime';
  return Array.isArray(v) ? 'list' : 'dict';
}

type PyInt = bigint | boolean;
const isInt = (v: XmlRpcValue): v is PyInt => typeof v === 'bigint' || typeof v === 'boolean';
const isNumber = (v: XmlRpcValue): v is PyInt | number => isInt(v) || typeof v === 'number';
const toBig = (v: PyInt): bigint => (typeof v === 'boolean' ? (v ? 1n : 0n) : v);

/** float(int), raising Python's OverflowError for ints past the float range. */
export function intToFloat(v: PyInt): number {
  const f = Number(toBig(v));
  if (!Number.isFinite(f)) throw new PyException('OverflowError', 'int too large to convert to float');
  return f;
}

const toFloat = (v: PyInt | number): number => (typeof v === 'number' ? v : intToFloat(v));

/** Python's `a + b` for the types XML-RPC can carry. */
export function pyAdd(a: XmlRpcValue, b: XmlRpcValue): XmlRpcValue {
  if (isNumber(a) && isNumber(b)) {
    if (isInt(a) && isInt(b)) return toBig(a) + toBig(b);
    return toFloat(a) + toFloat(b);
  }
  if (typeof a === 'string') {
    if (typeof b === 'string') return a + b;
    throw new PyException('TypeError', `can only concatenate str (not "${pyTypeName(b)}") to str`);
  }
  if (Array.isArray(a)) {
    if (Array.isArray(b)) return [...a, ...b];
    throw new PyException('TypeError', `can only concatenate list (not "${pyTypeName(b)}") to list`);
  }
  throw new PyException(
    'TypeError',
    `unsupported operand type(s) for +: '${pyTypeName(a)}' and '${pyTypeName(b)}'`,
  );
}

/** Python's `a * b`, numbers only (sequence repetition never arises in the book's code). */
export function pyMul(a: XmlRpcValue, b: XmlRpcValue): bigint | number {
  if (isNumber(a) && isNumber(b)) {
    if (isInt(a) && isInt(b)) return toBig(a) * toBig(b);
    return toFloat(a) * toFloat(b);
  }
  const seq = (v: XmlRpcValue) => typeof v === 'string' || Array.isArray(v);
  if (seq(a) && (isNumber(b) || seq(b))) {
    throw new PyException('TypeError', `can't multiply sequence by non-int of type '${pyTypeName(b)}'`);
  }
  if (seq(b) && isNumber(a)) {
    throw new PyException('TypeError', `can't multiply sequence by non-int of type '${pyTypeName(a)}'`);
  }
  throw new PyException(
    'TypeError',
    `unsupported operand type(s) for *: '${pyTypeName(a)}' and '${pyTypeName(b)}'`,
  );
}

/** Python's `a - b` on numbers. */
export function pySub(a: bigint | number, b: bigint | number): bigint | number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a - b;
  return toFloat(a) - toFloat(b);
}

/** Python's unary minus on a number (a bool becomes an int). */
export function pyNeg(a: XmlRpcValue): bigint | number {
  if (typeof a === 'number') return -a;
  if (isInt(a)) return -toBig(a);
  throw new PyException('TypeError', `bad operand type for unary -: '${pyTypeName(a)}'`);
}

/** math.sqrt with Python's errors. */
export function pySqrt(x: bigint | number): number {
  const f = toFloat(x);
  if (f < 0) throw new PyException('ValueError', 'math domain error');
  return Math.sqrt(f);
}

/** `x / 2.0` and friends: true division, always a float. */
export function pyTrueDiv(a: bigint | number, b: number): number {
  if (b === 0) throw new PyException('ZeroDivisionError', 'float division by zero');
  return toFloat(a) / b;
}

/** repr(float) as CPython writes it: shortest round-trip digits, '.0' on integers, e+XX. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fracPart = digits.slice(exp + 1);
  return `${sign}${intPart}.${fracPart || '0'}`;
}

const HASH_MODULUS = 2n ** 61n - 1n;

/** hash(float) as CPython computes it (sys.hash_info: 61-bit modulus). */
export function pyFloatHash(x: number): bigint {
  if (Number.isNaN(x)) return 0n; // CPython hashes NaN by identity; no stable answer exists
  if (!Number.isFinite(x)) return x > 0 ? 314159n : -314159n;
  if (x === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biasedExp = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biasedExp === 0 ? fraction : fraction | (1n << 52n);
  const exp = biasedExp === 0 ? -1074 : biasedExp - 1075;
  // |x| = mantissa * 2**exp, and 2**61 ≡ 1 (mod 2**61 - 1).
  const shift = BigInt(((exp % 61) + 61) % 61);
  let h = ((mantissa % HASH_MODULUS) * (1n << shift)) % HASH_MODULUS;
  if (x < 0) h = -h;
  return h === -1n ? -2n : h;
}

/**
 * `list(set(values))` for a handful of floats: CPython's insertion into its 8-slot table
 * (no linear probing at that size, then perturbed probing), read back slot by slot.
 */
export function pyFloatSetOrder(values: readonly number[]): number[] {
  if (values.length > 4) throw new RangeError('only small sets are modelled (no resize)');
  const table: ({ hash: bigint; key: number } | undefined)[] = new Array(8).fill(undefined);
  for (const key of values) {
    const hash = pyFloatHash(key);
    let perturb = BigInt.asUintN(64, hash);
    let i = perturb & 7n;
    for (;;) {
      const slot = table[Number(i)];
      if (slot === undefined) {
        table[Number(i)] = { hash, key };
        break;
      }
      if (slot.hash === hash && slot.key === key) break;
      perturb >>= 5n;
      i = (i * 5n + 1n + perturb) & 7n;
    }
  }
  return table.filter((s) => s !== undefined).map((s) => s!.key);
}

/** repr(str) as CPython writes it (quote choice and escapes). */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** repr() of a value as Python's xmlrpc.client hands it to the book's scripts. */
export function pyRepr(v: XmlRpcValue): string {
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      return pyFloatRepr(v);
    case 'boolean':
      return v ? 'True' : 'False';
    case 'string':
      return pyStrRepr(v);
  }
  if (v === null) return 'None';
  if (Buffer.isBuffer(v)) return `<Binary ${v.length} bytes>`;
  if (v instanceof XmlRpcDateTime) return `<DateTime ${pyStrRepr(v.value)}>`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${[...v].map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
}

/** What Python's print() shows: str as is, everything else as repr. */
export function pyStr(v: XmlRpcValue): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** A Python function served over XML-RPC (the book's three are `../book/functions.ts`). */
export interface BookFunction {
  name: string;
  /** The Python docstring, which system.methodHelp returns (as pydoc.getdoc cleans it). */
  doc: string;
  /** Python's positional parameter names; undefined for *args. */
  params?: readonly string[];
  call(args: XmlRpcValue[]): XmlRpcValue;
}

/** Python's TypeError for a call with the wrong number of positional arguments. */
export function checkArity(name: string, params: readonly string[], given: number): void {
  if (given > params.length) {
    const n = params.length;
    throw new PyException(
      'TypeError',
      `${name}() takes ${n} positional argument${n === 1 ? '' : 's'} but ${given} ${given === 1 ? 'was' : 'were'} given`,
    );
  }
  if (given < params.length) {
    const missing = params.slice(given).map((p) => `'${p}'`);
    const list =
      missing.length === 1
        ? missing[0]
        : missing.length === 2
          ? `${missing[0]} and ${missing[1]}`
          : `${missing.slice(0, -1).join(', ')}, and ${missing[missing.length - 1]}`;
    throw new PyException(
      'TypeError',
      `${name}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list}`,
    );
  }
}
