/**
 * Writes XML-RPC documents the way Python's `xmlrpc.client.dumps` does (same layout, same
 * escaping, floats as Python's repr), so a byte-level comparison with Python stays readable.
 */
import { pyFloatRepr } from './python.js';
import { Fault, MAXINT, MININT, XmlRpcDateTime, type XmlRpcValue } from './values.js';

/** Raised when a value cannot be written; the messages are Python's, word for word. */
export class MarshalError extends Error {
  constructor(
    readonly pyType: 'TypeError' | 'OverflowError' | 'ValueError',
    message: string,
  ) {
    super(message);
    this.name = pyType;
  }
}

export interface EncodeOptions {
  /** Write null as <nil/>; otherwise null is an error, as in Python. @default false */
  allowNone?: boolean;
}

// XML 1.0 forbids these code points even escaped; Python would write them and break the
// peer's parser, so we refuse them with a clear error instead.
const INVALID_XML_CHARS =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function escapeXml(s: string): string {
  if (INVALID_XML_CHARS.test(s)) {
    throw new MarshalError('ValueError', 'string contains characters that XML 1.0 cannot carry');
  }
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function writeValue(out: string[], v: XmlRpcValue, opts: EncodeOptions, seen: Set<object>): void {
  switch (typeof v) {
    case 'bigint':
      if (v > MAXINT || v < MININT) throw new MarshalError('OverflowError', 'int exceeds XML-RPC limits');
      out.push('<value><int>', v.toString(), '</int></value>\n');
      return;
    case 'number':
      out.push('<value><double>', pyFloatRepr(v), '</double></value>\n');
      return;
    case 'boolean':
      out.push('<value><boolean>', v ? '1' : '0', '</boolean></value>\n');
      return;
    case 'string':
      out.push('<value><string>', escapeXml(v), '</string></value>\n');
      return;
  }
  if (v === null) {
    if (!opts.allowNone)
      throw new MarshalError('TypeError', 'cannot marshal None unless allow_none is enabled');
    out.push('<value><nil/></value>');
    return;
  }
  if (Buffer.isBuffer(v)) {
    out.push('<value><base64>\n', v.toString('base64'), '\n</base64></value>\n');
    return;
  }
  if (v instanceof XmlRpcDateTime) {
    out.push('<value><dateTime.iso8601>', escapeXml(v.value), '</dateTime.iso8601></value>\n');
    return;
  }
  if (seen.has(v)) throw new MarshalError('TypeError', 'cannot marshal recursive sequences');
  seen.add(v);
  if (Array.isArray(v)) {
    out.push('<value><array><data>\n');
    for (const item of v) writeValue(out, item, opts, seen);
    out.push('</data></array></value>\n');
  } else {
    out.push('<value><struct>\n');
    for (const [k, item] of v) {
      out.push('<member>\n<name>', escapeXml(k), '</name>\n');
      writeValue(out, item, opts, seen);
      out.push('</member>\n');
    }
    out.push('</struct></value>\n');
  }
  seen.delete(v);
}

/** One value as XML (no surrounding document). */
export function encodeValue(v: XmlRpcValue, opts: EncodeOptions = {}): string {
  const out: string[] = [];
  writeValue(out, v, opts, new Set());
  return out.join('');
}

export function encodeResponse(value: XmlRpcValue, opts: EncodeOptions = {}): string {
  const out = ["<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n"];
  writeValue(out, value, opts, new Set());
  out.push('</param>\n</params>\n</methodResponse>\n');
  return out.join('');
}

export function encodeFault(fault: Fault): string {
  const out = ["<?xml version='1.0'?>\n<methodResponse>\n<fault>\n"];
  writeValue(
    out,
    new Map<string, XmlRpcValue>([
      ['faultCode', BigInt(fault.faultCode)],
      // A fault must always be writable: characters XML cannot carry (from a downstream
      // reply quoted in the message, say) become U+FFFD instead of failing the response.
      ['faultString', fault.faultString.replace(new RegExp(INVALID_XML_CHARS.source, 'g'), '\ufffd')],
    ]),
    {},
    new Set(),
  );
  out.push('</fault>\n</methodResponse>\n');
  return out.join('');
}

export function encodeCall(
  methodName: string,
  params: readonly XmlRpcValue[],
  opts: EncodeOptions = {},
): string {
  const out = [
    "<?xml version='1.0'?>\n<methodCall>\n<methodName>",
    escapeXml(methodName),
    '</methodName>\n<params>\n',
  ];
  for (const p of params) {
    out.push('<param>\n');
    writeValue(out, p, opts, new Set());
    out.push('</param>\n');
  }
  out.push('</params>\n</methodCall>\n');
  return out.join('');
}

export { Fault };
