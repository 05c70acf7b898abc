/**
 * The book's programs print Python values: `repr(b'...')` for received bytes and
 * `('127.0.0.1', 1060)` for socket names. These helpers print the same text, so a reader
 * can put the book's output and ours side by side.
 */
import net from 'node:net';

/**
 * Python's repr() of bytes (`asBytes`, the default: `b'Hi there'`) or of an ASCII str
 * (`'Hi there'`): quotes chosen as Python chooses them, `\t \n \r \\` escaped, every other
 * byte outside printable ASCII shown as `\xNN`.
 */
export function pyRepr(data: Buffer | Uint8Array, options: { asBytes?: boolean } = {}): string {
  const hasSingle = data.includes(0x27);
  const quote = hasSingle && !data.includes(0x22) ? '"' : "'";
  const quoteByte = quote.charCodeAt(0);
  let out = '';
  for (const byte of data) {
    if (byte === quoteByte || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${options.asBytes === false ? '' : 'b'}${quote}${out}${quote}`;
}

/** A socket address as Python prints it: `('127.0.0.1', 1060)` or `('::1', 1060, 0, 0)`. */
export function pyAddress(address: string | undefined, port: number | undefined): string {
  const host = address ?? '?';
  return net.isIPv6(host) ? `('${host}', ${port ?? '?'}, 0, 0)` : `('${host}', ${port ?? '?'})`;
}
