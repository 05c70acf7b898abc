/**
 * Python-`struct`-style packing for network byte order (book ch. 5). Format strings use
 * Python's syntax: a byte-order prefix (`<` little, `>` or `!` big/network, `=` native
 * order without padding) then codes with optional repeat counts: b B ? h H i I l L q Q
 * f d, `Ns` for an N-byte string and `x` for a pad byte. Alignment padding (`@`) is not
 * supported; network formats never want it.
 */

type Code = 'x' | 'b' | 'B' | '?' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd' | 's';
type Value = number | bigint | boolean | Buffer;
type PackValue = Value | string;

const SIZES: Record<Code, number> = {
  x: 1,
  b: 1,
  B: 1,
  '?': 1,
  h: 2,
  H: 2,
  i: 4,
  I: 4,
  l: 4,
  L: 4,
  q: 8,
  Q: 8,
  f: 4,
  d: 8,
  s: 1,
};

interface Field {
  code: Code;
  count: number;
}

function parseFormat(format: string): { little: boolean; fields: Field[] } {
  let rest = format.replace(/\s+/g, '');
  let little = false;
  const prefix = rest[0];
  if (prefix === '<') little = true;
  else if (prefix === '=') little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  else if (prefix === '@')
    throw new Error('struct: native alignment "@" is not supported; use "<", ">" or "!"');
  if (prefix && '<>!='.includes(prefix)) rest = rest.slice(1);
  else little = false; // Python's default is native with alignment; network code wants explicit order
  const fields: Field[] = [];
  const re = /(\d*)([xbB?hHiIlLqQfds])/y;
  let pos = 0;
  while (pos < rest.length) {
    re.lastIndex = pos;
    const m = re.exec(rest);
    if (!m)
      throw new Error(
        `struct: bad format character ${JSON.stringify(rest[pos])} in ${JSON.stringify(format)}`,
      );
    fields.push({ code: m[2] as Code, count: m[1] ? Number(m[1]) : 1 });
    pos = re.lastIndex;
  }
  return { little, fields };
}

/** Number of bytes `pack(format, …)` produces (Python's `struct.calcsize`). */
export function calcsize(format: string): number {
  return parseFormat(format).fields.reduce((n, f) => n + SIZES[f.code] * f.count, 0);
}

function checkRange(code: Code, v: number | bigint, min: number | bigint, max: number | bigint): void {
  if (v < min || v > max)
    throw new RangeError(`struct: '${code}' format requires ${min} <= number <= ${max}, got ${v}`);
}

/** Packs values as `struct.pack` would. */
export function pack(format: string, ...values: PackValue[]): Buffer {
  const { little, fields } = parseFormat(format);
  const out = Buffer.alloc(calcsize(format));
  let off = 0;
  let vi = 0;
  const next = (): PackValue => {
    if (vi >= values.length)
      throw new Error(`struct: pack expected more values for ${JSON.stringify(format)}`);
    return values[vi++]!;
  };
  for (const { code, count } of fields) {
    if (code === 's') {
      const v = next();
      const bytes = typeof v === 'string' ? Buffer.from(v) : v;
      if (!Buffer.isBuffer(bytes)) throw new TypeError("struct: argument for 's' must be a Buffer");
      bytes.copy(out, off, 0, Math.min(bytes.length, count));
      off += count;
      continue;
    }
    for (let k = 0; k < count; k++) {
      if (code === 'x') {
        off += 1;
        continue;
      }
      const v = next();
      switch (code) {
        case '?':
          out.writeUInt8(v ? 1 : 0, off);
          break;
        case 'b':
          checkRange(code, v as number, -128, 127);
          out.writeInt8(v as number, off);
          break;
        case 'B':
          checkRange(code, v as number, 0, 255);
          out.writeUInt8(v as number, off);
          break;
        case 'h':
          checkRange(code, v as number, -32768, 32767);
          little ? out.writeInt16LE(v as number, off) : out.writeInt16BE(v as number, off);
          break;
        case 'H':
          checkRange(code, v as number, 0, 65535);
          little ? out.writeUInt16LE(v as number, off) : out.writeUInt16BE(v as number, off);
          break;
        case 'i':
        case 'l':
          checkRange(code, v as number, -2147483648, 2147483647);
          little ? out.writeInt32LE(v as number, off) : out.writeInt32BE(v as number, off);
          break;
        case 'I':
        case 'L':
          checkRange(code, v as number, 0, 4294967295);
          little ? out.writeUInt32LE(v as number, off) : out.writeUInt32BE(v as number, off);
          break;
        case 'q': {
          const b = BigInt(v as number | bigint);
          checkRange(code, b, -(2n ** 63n), 2n ** 63n - 1n);
          little ? out.writeBigInt64LE(b, off) : out.writeBigInt64BE(b, off);
          break;
        }
        case 'Q': {
          const b = BigInt(v as number | bigint);
          checkRange(code, b, 0n, 2n ** 64n - 1n);
          little ? out.writeBigUInt64LE(b, off) : out.writeBigUInt64BE(b, off);
          break;
        }
        case 'f':
          little ? out.writeFloatLE(v as number, off) : out.writeFloatBE(v as number, off);
          break;
        case 'd':
          little ? out.writeDoubleLE(v as number, off) : out.writeDoubleBE(v as number, off);
          break;
      }
      off += SIZES[code];
    }
  }
  if (vi !== values.length) {
    throw new Error(`struct: pack expected ${vi} values for ${JSON.stringify(format)}, got ${values.length}`);
  }
  return out;
}

/** Unpacks as `struct.unpack` would; 64-bit integers come back as bigint. */
export function unpack(format: string, data: Buffer, offset = 0): Value[] {
  const { little, fields } = parseFormat(format);
  const size = calcsize(format);
  if (data.length - offset < size) {
    throw new RangeError(`struct: unpack requires a buffer of ${size} bytes, got ${data.length - offset}`);
  }
  const out: Value[] = [];
  let off = offset;
  for (const { code, count } of fields) {
    if (code === 's') {
      out.push(Buffer.from(data.subarray(off, off + count)));
      off += count;
      continue;
    }
    for (let k = 0; k < count; k++) {
      switch (code) {
        case 'x':
          break;
        case '?':
          out.push(data.readUInt8(off) !== 0);
          break;
        case 'b':
          out.push(data.readInt8(off));
          break;
        case 'B':
          out.push(data.readUInt8(off));
          break;
        case 'h':
          out.push(little ? data.readInt16LE(off) : data.readInt16BE(off));
          break;
        case 'H':
          out.push(little ? data.readUInt16LE(off) : data.readUInt16BE(off));
          break;
        case 'i':
        case 'l':
          out.push(little ? data.readInt32LE(off) : data.readInt32BE(off));
          break;
        case 'I':
        case 'L':
          out.push(little ? data.readUInt32LE(off) : data.readUInt32BE(off));
          break;
        case 'q':
          out.push(little ? data.readBigInt64LE(off) : data.readBigInt64BE(off));
          break;
        case 'Q':
          out.push(little ? data.readBigUInt64LE(off) : data.readBigUInt64BE(off));
          break;
        case 'f':
          out.push(little ? data.readFloatLE(off) : data.readFloatBE(off));
          break;
        case 'd':
          out.push(little ? data.readDoubleLE(off) : data.readDoubleBE(off));
          break;
      }
      off += SIZES[code];
    }
  }
  return out;
}
