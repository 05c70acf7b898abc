/**
 * What goes into Redis: one tag byte, then the payload. The tag says how to decode, so a
 * reader configured for JSON still reads values a MessagePack writer stored, and a cached
 * "absent" (negative cache entry) is distinguishable from a cached null.
 */
import { decode as msgpackDecode, encode as msgpackEncode } from '@msgpack/msgpack';
import { InvalidValueError } from './errors.js';
import type { SerializerName } from './options.js';

// Declared beside the other option defaults (options.ts): the manifest, and so `--help`, loads them without msgpack.
export { SERIALIZERS, type SerializerName } from './options.js';

const TAG_JSON = 0x6a; // 'j'
const TAG_MSGPACK = 0x6d; // 'm'
const TAG_ABSENT = 0x6e; // 'n'

export const ABSENT_ENTRY: Buffer = Buffer.from([TAG_ABSENT]);

export type Decoded = { found: true; value: unknown } | { found: false };

export function encodeValue(value: unknown, serializer: SerializerName): Buffer {
  if (value === undefined)
    throw new InvalidValueError('undefined cannot be cached; return it to mean "absent"');
  if (serializer === 'msgpack') {
    let packed: Uint8Array;
    try {
      packed = msgpackEncode(value);
    } catch (err) {
      throw new InvalidValueError(`MessagePack cannot encode it: ${(err as Error).message}`, { cause: err });
    }
    const out = Buffer.allocUnsafe(packed.length + 1);
    out[0] = TAG_MSGPACK;
    out.set(packed, 1);
    return out;
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new InvalidValueError(`JSON cannot encode it: ${(err as Error).message}`, { cause: err });
  }
  if (text === undefined) throw new InvalidValueError(`JSON cannot encode a ${typeof value}`);
  const out = Buffer.allocUnsafe(Buffer.byteLength(text) + 1);
  out[0] = TAG_JSON;
  out.write(text, 1);
  return out;
}

export function decodeValue(raw: Buffer): Decoded {
  switch (raw[0]) {
    case TAG_ABSENT:
      return { found: false };
    case TAG_JSON:
      return { found: true, value: JSON.parse(raw.toString('utf8', 1)) };
    case TAG_MSGPACK:
      return { found: true, value: msgpackDecode(raw.subarray(1)) };
    default:
      throw new InvalidValueError(
        `stored entry starts with byte 0x${(raw[0] ?? 0).toString(16)}, not a cache tag: was it written by something else?`,
      );
  }
}
