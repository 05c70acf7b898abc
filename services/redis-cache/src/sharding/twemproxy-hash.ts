/**
 * The twelve key hash functions of twemproxy (nutcracker) `hash:`, under twemproxy's names and
 * bit for bit as its src/hashkit computes them on x86-64 Linux, so a client-side strategy can
 * place keys where a twemproxy pool does. Written from reading twemproxy's C, not copied.
 *
 * Two things its names hide, which matter for agreement:
 * - `fnv1_64` / `fnv1a_64` return 32 bits. fnv1a_64 even runs in 32 bits with the 64-bit
 *   constants truncated (offset 0x84222325, prime 0x1b3); fnv1_64 runs in 64 bits, but only
 *   the low 32 bits are kept, and those depend only on the low 32 bits of each step.
 * - The C code reads the key as `char`, signed on x86: bytes >= 0x80 (any non-ASCII UTF-8)
 *   enter one_at_a_time, the FNV family and one step of hsieh sign-extended (0xE9 as
 *   0xFFFFFFE9). So twemproxy's fnv1a_32 is the textbook FNV-1a only for ASCII keys.
 * And `crc32` is libmemcached's 15-bit variant ((~crc >> 16) & 0x7fff); the real CRC-32 is `crc32a`.
 */
import { createHash } from 'node:crypto';

export const TWEMPROXY_HASHES = [
  'one_at_a_time',
  'md5',
  'crc16',
  'crc32',
  'crc32a',
  'fnv1_64',
  'fnv1a_64',
  'fnv1_32',
  'fnv1a_32',
  'hsieh',
  'murmur',
  'jenkins',
] as const;
export type TwemproxyHashName = (typeof TWEMPROXY_HASHES)[number];

/** A key hash: UTF-8 bytes in, unsigned 32-bit integer out. */
export type KeyHash = (key: Uint8Array) => number;

/** (uint32_t)(char)b: the byte as a signed char, widened to 32 bits. */
const signed = (b: number) => (b << 24) >> 24;

function md5(key: Uint8Array): Buffer {
  return createHash('md5').update(key).digest();
}

const oneAtATime: KeyHash = (key) => {
  let v = 0;
  for (const b of key) {
    v = (v + signed(b)) >>> 0;
    v = (v + (v << 10)) >>> 0;
    v = (v ^ (v >>> 6)) >>> 0;
  }
  v = (v + (v << 3)) >>> 0;
  v = (v ^ (v >>> 11)) >>> 0;
  return (v + (v << 15)) >>> 0;
};

/** The first four digest bytes, little-endian (ketama's alignment 0). */
const md5Hash: KeyHash = (key) => md5(key).readUInt32LE(0);

const CRC16_TABLE = Uint16Array.from({ length: 256 }, (_, i) => {
  let c = i << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
  return c & 0xffff;
});

/** CRC16-CCITT (XMODEM) table, but the state is a uint32 that is never masked: the high bits keep what shifts out. */
const crc16: KeyHash = (key) => {
  let crc = 0;
  for (const b of key) crc = ((crc << 8) ^ CRC16_TABLE[((crc >>> 8) ^ b) & 0xff]!) >>> 0;
  return crc;
};

const CRC32_TABLE = Uint32Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32Raw(key: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of key) crc = (CRC32_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8)) >>> 0;
  return crc;
}

/** libmemcached's crc32: bits 16..30 of the CRC-32. */
const crc32: KeyHash = (key) => ((~crc32Raw(key) >>> 0) >>> 16) & 0x7fff;
/** The standard CRC-32 (IEEE 802.3, as zlib). */
const crc32a: KeyHash = (key) => (crc32Raw(key) ^ 0xffffffff) >>> 0;

function fnv(init: number, prime: number, xorFirst: boolean): KeyHash {
  return (key) => {
    let h = init;
    for (const b of key) {
      if (xorFirst) h = Math.imul(h ^ signed(b), prime);
      else h = Math.imul(h, prime) ^ signed(b);
    }
    return h >>> 0;
  };
}

/** Paul Hsieh's SuperFastHash, 16-bit reads little-endian. */
const hsieh: KeyHash = (key) => {
  const n = key.length;
  if (n === 0) return 0;
  const get16 = (i: number) => key[i]! | (key[i + 1]! << 8);
  let hash = 0;
  let i = 0;
  for (let blocks = n >>> 2; blocks > 0; blocks--, i += 4) {
    hash = (hash + get16(i)) >>> 0;
    const tmp = ((get16(i + 2) << 11) ^ hash) >>> 0;
    hash = ((hash << 16) ^ tmp) >>> 0;
    hash = (hash + (hash >>> 11)) >>> 0;
  }
  switch (n & 3) {
    case 3:
      hash = (hash + get16(i)) >>> 0;
      hash = (hash ^ (hash << 16)) >>> 0;
      hash = (hash ^ (signed(key[i + 2]!) << 18)) >>> 0;
      hash = (hash + (hash >>> 11)) >>> 0;
      break;
    case 2:
      hash = (hash + get16(i)) >>> 0;
      hash = (hash ^ (hash << 11)) >>> 0;
      hash = (hash + (hash >>> 17)) >>> 0;
      break;
    case 1:
      hash = (hash + key[i]!) >>> 0;
      hash = (hash ^ (hash << 10)) >>> 0;
      hash = (hash + (hash >>> 1)) >>> 0;
      break;
  }
  hash = (hash ^ (hash << 3)) >>> 0;
  hash = (hash + (hash >>> 5)) >>> 0;
  hash = (hash ^ (hash << 4)) >>> 0;
  hash = (hash + (hash >>> 17)) >>> 0;
  hash = (hash ^ (hash << 25)) >>> 0;
  return (hash + (hash >>> 6)) >>> 0;
};

/** MurmurHash2 with libmemcached's seed (0xdeadbeef * length). */
const murmur: KeyHash = (key) => {
  const m = 0x5bd1e995;
  let len = key.length;
  let h = (Math.imul(0xdeadbeef, len) ^ len) >>> 0;
  let i = 0;
  while (len >= 4) {
    let k = (key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24)) >>> 0;
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
    i += 4;
    len -= 4;
  }
  // The C switch falls through from 3 to 1.
  if (len >= 3) h ^= key[i + 2]! << 16;
  if (len >= 2) h ^= key[i + 1]! << 8;
  if (len >= 1) h = Math.imul(h ^ key[i]!, m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h >>> 0;
};

const rot = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/** Bob Jenkins' lookup3 hashlittle() with initval 13, bytes read little-endian. */
const jenkins: KeyHash = (key) => {
  let length = key.length;
  let a = (0xdeadbeef + length + 13) >>> 0;
  let b = a;
  let c = a;
  const word = (i: number, n = 4) => {
    let w = 0;
    for (let j = n - 1; j >= 0; j--) w = (w << 8) | (key[i + j] ?? 0);
    return w >>> 0;
  };
  let i = 0;
  while (length > 12) {
    a = (a + word(i)) >>> 0;
    b = (b + word(i + 4)) >>> 0;
    c = (c + word(i + 8)) >>> 0;
    // mix(a,b,c)
    a = (a - c) >>> 0;
    a ^= rot(c, 4);
    c = (c + b) >>> 0;
    b = (b - a) >>> 0;
    b ^= rot(a, 6);
    a = (a + c) >>> 0;
    c = (c - b) >>> 0;
    c ^= rot(b, 8);
    b = (b + a) >>> 0;
    a = (a - c) >>> 0;
    a ^= rot(c, 16);
    c = (c + b) >>> 0;
    b = (b - a) >>> 0;
    b ^= rot(a, 19);
    a = (a + c) >>> 0;
    c = (c - b) >>> 0;
    c ^= rot(b, 4);
    b = (b + a) >>> 0;
    length -= 12;
    i += 12;
  }
  if (length === 0) return c >>> 0;
  // The last block: up to 12 bytes, zero-padded (what the C code's masks amount to).
  a = (a + word(i, Math.min(4, length))) >>> 0;
  if (length > 4) b = (b + word(i + 4, Math.min(4, length - 4))) >>> 0;
  if (length > 8) c = (c + word(i + 8, length - 8)) >>> 0;
  // final(a,b,c)
  c ^= b;
  c = (c - rot(b, 14)) >>> 0;
  a ^= c;
  a = (a - rot(c, 11)) >>> 0;
  b ^= a;
  b = (b - rot(a, 25)) >>> 0;
  c ^= b;
  c = (c - rot(b, 16)) >>> 0;
  a ^= c;
  a = (a - rot(c, 4)) >>> 0;
  b ^= a;
  b = (b - rot(a, 14)) >>> 0;
  c ^= b;
  c = (c - rot(b, 24)) >>> 0;
  return c >>> 0;
};

const HASHES: Record<TwemproxyHashName, KeyHash> = {
  one_at_a_time: oneAtATime,
  md5: md5Hash,
  crc16,
  crc32,
  crc32a,
  fnv1_64: fnv(0x84222325, 0x1b3, false),
  fnv1a_64: fnv(0x84222325, 0x1b3, true),
  fnv1_32: fnv(0x811c9dc5, 0x01000193, false),
  fnv1a_32: fnv(0x811c9dc5, 0x01000193, true),
  hsieh,
  murmur,
  jenkins,
};

export function isTwemproxyHash(name: string): name is TwemproxyHashName {
  return (TWEMPROXY_HASHES as readonly string[]).includes(name);
}

/** twemproxy's hash function of that name; RangeError for one it does not have. */
export function twemproxyHash(name: TwemproxyHashName): KeyHash {
  const fn = HASHES[name];
  if (!fn)
    throw new RangeError(
      `unknown hash ${JSON.stringify(name)}; twemproxy's are ${TWEMPROXY_HASHES.join(', ')}`,
    );
  return fn;
}

/** ketama_hash(): four ring points per MD5 digest, alignment 0..3, each 4 bytes little-endian. */
export function ketamaPoints(text: string): [number, number, number, number] {
  const d = md5(Buffer.from(text, 'utf8'));
  return [d.readUInt32LE(0), d.readUInt32LE(4), d.readUInt32LE(8), d.readUInt32LE(12)];
}
