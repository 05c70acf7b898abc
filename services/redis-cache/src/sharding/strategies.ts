/**
 * Client-side sharding strategies: which of N servers holds a key.
 *
 * The first three are the book's hashing.py (ch. 8). `alpha` and the modulo pair show why
 * sharding needs a hash and why "hash mod N" is a poor fit for caches that grow: adding a
 * server remaps about N/(N+1) of the keys. `ketama` (consistent hashing with virtual nodes,
 * as in libketama/twemproxy) and `jump` (Lamping & Veach's jump consistent hash) move only
 * about 1/(N+1).
 */
import { createHash } from 'node:crypto';

export const STRATEGY_NAMES = ['alpha', 'hash', 'md5', 'ketama', 'jump'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export interface ShardStrategy {
  readonly name: StrategyName;
  readonly shardCount: number;
  /** Index (0..shardCount-1) of the shard that owns `key`. */
  shardFor(key: string): number;
}

function md5(text: string): Buffer {
  return createHash('md5').update(text).digest();
}

/**
 * The book's alpha_shard generalised to N: the alphabet is cut into N contiguous ranges at
 * floor(k*26/N), which for N=4 gives the book's abcdef / ghijklm / nopqrs / tuvwxyz.
 * Anything not starting with a-z goes to the last server, like the book's `else`.
 */
export function alphaStrategy(shardCount: number): ShardStrategy {
  const bounds = Array.from({ length: shardCount - 1 }, (_, k) => Math.floor(((k + 1) * 26) / shardCount));
  return {
    name: 'alpha',
    shardCount,
    shardFor(key) {
      const c = key.toLowerCase().charCodeAt(0) - 97;
      if (!(c >= 0 && c < 26)) return shardCount - 1;
      let shard = 0;
      while (shard < bounds.length && c >= bounds[shard]!) shard++;
      return shard;
    },
  };
}

/** FNV-1a, 32 bits, over the UTF-8 bytes: fast, stable across processes and machines. */
export function fnv1a32(key: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The book's hash_shard: hash modulo N. Python's hash() is salted per process
 * (PYTHONHASHSEED), so two clients of the book's version disagree about where a key lives;
 * FNV-1a gives every process the same answer.
 */
export function hashStrategy(shardCount: number): ShardStrategy {
  return { name: 'hash', shardCount, shardFor: (key) => fnv1a32(key) % shardCount };
}

/** The book's md5_shard: last byte of the MD5 digest, modulo N. */
export function md5Strategy(shardCount: number): ShardStrategy {
  return { name: 'md5', shardCount, shardFor: (key) => md5(key).at(-1)! % shardCount };
}

/** Default number of MD5 digests per server on the ketama ring (4 points each: 160 points). */
export const KETAMA_DIGESTS_PER_SHARD = 40;

/**
 * Ketama consistent hashing: each server puts 4 points per MD5 digest of "server<i>-<j>" on
 * a 32-bit ring; a key belongs to the first point at or after its own hash. Adding a server
 * adds its points and takes keys only from the arcs they split.
 */
export function ketamaStrategy(
  shardCount: number,
  digestsPerShard = KETAMA_DIGESTS_PER_SHARD,
): ShardStrategy {
  const points: { hash: number; shard: number }[] = [];
  for (let shard = 0; shard < shardCount; shard++) {
    for (let j = 0; j < digestsPerShard; j++) {
      const d = md5(`server${shard}-${j}`);
      for (let k = 0; k < 4; k++) points.push({ hash: d.readUInt32LE(k * 4), shard });
    }
  }
  points.sort((a, b) => a.hash - b.hash || a.shard - b.shard);
  const hashes = Uint32Array.from(points, (p) => p.hash);
  const owners = Uint16Array.from(points, (p) => p.shard);
  return {
    name: 'ketama',
    shardCount,
    shardFor(key) {
      const h = md5(key).readUInt32LE(0);
      let lo = 0;
      let hi = hashes.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (hashes[mid]! < h) lo = mid + 1;
        else hi = mid;
      }
      return owners[lo === hashes.length ? 0 : lo]!;
    },
  };
}

const JUMP_MULTIPLIER = 2862933555777941757n;

/** Jump consistent hash (Lamping & Veach 2014) of a 64-bit key. */
export function jumpHash(key: bigint, buckets: number): number {
  let b = -1;
  let j = 0;
  let k = key;
  while (j < buckets) {
    b = j;
    k = BigInt.asUintN(64, k * JUMP_MULTIPLIER + 1n);
    j = Math.floor(((b + 1) * 2 ** 31) / (Number(k >> 33n) + 1));
  }
  return b;
}

/** Jump consistent hash over the first 8 bytes of the key's MD5. No ring, no memory, no tuning. */
export function jumpStrategy(shardCount: number): ShardStrategy {
  return { name: 'jump', shardCount, shardFor: (key) => jumpHash(md5(key).readBigUInt64LE(0), shardCount) };
}

const FACTORIES: Record<StrategyName, (n: number) => ShardStrategy> = {
  alpha: alphaStrategy,
  hash: hashStrategy,
  md5: md5Strategy,
  ketama: ketamaStrategy,
  jump: jumpStrategy,
};

/** Builds a strategy by name; throws RangeError for a shard count below 1 or above 1024. */
export function createStrategy(name: StrategyName, shardCount: number): ShardStrategy {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 1024)
    throw new RangeError(`shard count must be an integer in 1..1024, got ${shardCount}`);
  const factory = FACTORIES[name];
  if (!factory)
    throw new RangeError(
      `unknown strategy ${JSON.stringify(name)}; expected one of ${STRATEGY_NAMES.join(', ')}`,
    );
  return factory(shardCount);
}
