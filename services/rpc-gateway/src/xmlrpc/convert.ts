/**
 * Between the exact XML-RPC model (values.ts) and the plain JSON-like values the gateway
 * methods take and return, so one method declaration serves both protocols.
 */
import { InvalidParamsError } from '../errors.js';
import { MAXINT, MININT, XmlRpcDateTime, type XmlRpcValue } from './values.js';

/** XML-RPC → plain: int → number, struct → object, dateTime → ISO text, base64 stays a Buffer. */
export function toPlain(v: XmlRpcValue): unknown {
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
      throw new InvalidParamsError(`integer ${v} is too large for this method`);
    return Number(v);
  }
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  if (v instanceof XmlRpcDateTime) {
    const d = v.toDate();
    return Number.isNaN(d.getTime()) ? v.value : d.toISOString();
  }
  if (Array.isArray(v)) return v.map(toPlain);
  const out: Record<string, unknown> = {};
  // defineProperty, not assignment: a member named "__proto__" must stay a plain key.
  for (const [k, x] of v)
    Object.defineProperty(out, k, {
      value: toPlain(x),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/** plain → XML-RPC: integers in the 32-bit range become <int>, other numbers <double>. */
export function fromPlain(v: unknown): XmlRpcValue {
  switch (typeof v) {
    case 'number':
      return Number.isInteger(v) && v >= Number(MININT) && v <= Number(MAXINT) ? BigInt(v) : v;
    case 'string':
    case 'boolean':
      return v;
    case 'bigint':
      return v;
    case 'undefined':
      return null;
  }
  if (v === null) return null;
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Date) return XmlRpcDateTime.fromDate(v);
  if (Array.isArray(v)) return v.map(fromPlain);
  if (typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, fromPlain(x)]));
  return String(v);
}
