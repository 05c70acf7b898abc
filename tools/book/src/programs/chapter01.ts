/** Chapter 1's two small programs: getname.py and stringcodes.py. */
import { lookup } from 'node:dns/promises';
import { writeFileSync } from 'node:fs';
import { classifyError, say } from '@fopnp/net';

/** getname.py: the IPv4 address of a host name, as socket.gethostbyname() gives it. */
export async function getname(hostname: string): Promise<void> {
  try {
    const { address } = await lookup(hostname, { family: 4 });
    say(`The IP address of ${hostname} is ${address}`);
  } catch (err) {
    throw classifyError(err, hostname);
  }
}

/** A JavaScript string as Python's repr() prints a str (quotes as Python picks them). */
export function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const body = [...text]
    .map((ch) => {
      if (ch === quote || ch === '\\') return `\\${ch}`;
      if (ch === '\n') return '\\n';
      if (ch === '\t') return '\\t';
      if (ch === '\r') return '\\r';
      const code = ch.codePointAt(0)!;
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
    })
    .join('');
  return `${quote}${body}${quote}`;
}

/** The bytes stringcodes.py decodes: UTF-16 with a little-endian byte-order mark. */
export const STRINGCODES_INPUT = Buffer.from(
  '\xff\xfe4\x001\x003\x00 \x00i\x00s\x00 \x00i\x00n\x00.\x00',
  'latin1',
);

/**
 * stringcodes.py: bytes from outside decoded into characters (UTF-16, its BOM saying the
 * byte order), and characters encoded into bytes (UTF-8) before they go out, into
 * eagle.txt in the current folder.
 */
export function stringcodes(): void {
  const decoded = new TextDecoder('utf-16le').decode(STRINGCODES_INPUT);
  say(pyStrRepr(decoded));
  writeFileSync('eagle.txt', Buffer.from('We copy you down, Eagle.\n', 'utf8'));
}
