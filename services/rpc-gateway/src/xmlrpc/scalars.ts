/**
 * The text inside XML-RPC's scalar elements, read the way Python's xmlrpc.client reads it
 * (int() and float() rules), with a fault naming the element for anything else.
 */
import { FAULT_INVALID_XMLRPC, XmlRpcParseError } from './errors.js';
import { XmlRpcDateTime, type XmlRpcValue } from './values.js';

const INT_RE = /^\s*[+-]?\d+(?:_\d+)*\s*$/;
const DIGITS = String.raw`\d+(?:_\d+)*`;
const FLOAT_RE = new RegExp(
  String.raw`^\s*[+-]?(?:(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)\s*$`,
  'i',
);

export function invalid(message: string): never {
  throw new XmlRpcParseError(FAULT_INVALID_XMLRPC, `invalid XML-RPC: ${message}`);
}

/** Python's int(): whitespace around, an optional sign, digits with single underscores. */
function parsePyInt(tag: string, text: string): bigint {
  if (!INT_RE.test(text)) invalid(`<${tag}> holds ${JSON.stringify(text)}, not an integer`);
  return BigInt(text.trim().replaceAll('_', ''));
}

/** Python's float(): also accepts inf, infinity and nan in any case. */
function parseDouble(tag: string, text: string): number {
  if (!FLOAT_RE.test(text)) invalid(`<${tag}> holds ${JSON.stringify(text)}, not a number`);
  const t = text.trim().replaceAll('_', '').toLowerCase();
  if (t.endsWith('nan')) return Number.NaN;
  if (t.endsWith('inf') || t.endsWith('infinity')) return t.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

export function scalar(tag: string, text: string): XmlRpcValue {
  switch (tag) {
    case 'string':
      return text;
    case 'double':
    case 'float':
      return parseDouble(tag, text);
    case 'boolean':
      if (text === '0') return false;
      if (text === '1') return true;
      return invalid(`<boolean> holds ${JSON.stringify(text)}; only 0 and 1 are booleans`);
    case 'base64':
      return Buffer.from(text, 'base64');
    case 'dateTime.iso8601':
      return new XmlRpcDateTime(text);
    case 'nil':
      if (text.trim() !== '') invalid('<nil/> must be empty');
      return null;
    default:
      return parsePyInt(tag, text);
  }
}
