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
import { ketamaPlacement, modulaPlacement, type PoolServer } from './twemproxy.js';
import type { TwemproxyHashName } from './twemproxy-hash.js';

export const STRATEGY_NAMES = ['alpha', 'hash', 'md5', 'ketama', 'jump', 'modula'] as const;
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
 * floor(k*26/N), which for N=4 gives the book's abcdef / ghijklm / nopqrs / tuvwxyz. Like the
 * book (its main lowercases each word, then compares `word[0] < 'g'` and so on), the first
 * character is compared by code point: digits, punctuation, `_` and anything else before
 * "a" go to server 0 with abcdef; `{`, `~` and every non-ASCII letter (é, ß, ж) sort after
 * "z" and go to the last server, the book's `else`.
 */
export function alphaStrategy(shardCount: number): ShardStrategy {
  const bounds = Array.from({ length: shardCount - 1 }, (_, k) => Math.floor(((k + 1) * 26) / shardCount));
  return {
    name: 'alpha',
    shardCount,
    shardFor(key) {
      // Code points, not UTF-16 units, as Python's str compares them; negative before "a".
      const c = (key.toLowerCase().codePointAt(0) ?? 0) - 97;
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

/**
 * Ketama consistent hashing, twemproxy's (and libketama's) way: each server puts 160 points
 * (40 MD5 digests of "<name>-<j>", 4 points each) on a 32-bit ring; a key belongs to the
 * first point at or after its own hash. Adding a server adds its points and takes keys only
 * from the arcs they split. Defaults: names "server0".."serverN-1", key hash md5 (the first
 * four digest bytes): twemproxy `distribution: ketama`, `hash: md5`, servers named server0...
 * See twemproxy.ts for names, weights and the other hashes.
 */
export function ketamaStrategy(shardCount: number, pool: PoolOptions = {}): ShardStrategy {
  const placement = ketamaPlacement(poolServers(shardCount, pool), pool.hash ?? 'md5');
  return { name: 'ketama', shardCount, shardFor: (key) => placement.indexOf(key) };
}

/**
 * twemproxy's `modula`: hash(key) mod N (each server `weight` times). With `fnv1a_32` it is our
 * `hash` strategy for ASCII keys; the default is twemproxy's default hash, `fnv1a_64`.
 */
export function modulaStrategy(shardCount: number, pool: PoolOptions = {}): ShardStrategy {
  const placement = modulaPlacement(poolServers(shardCount, pool), pool.hash ?? 'fnv1a_64');
  return { name: 'modula', shardCount, shardFor: (key) => placement.indexOf(key) };
}

/** Ketama/modula tuning: the names and weights of the servers as a twemproxy pool lists them, and its hash. */
export interface PoolOptions {
  /** twemproxy's `hash:`. @default 'md5' for ketama, 'fnv1a_64' for modula */
  hash?: TwemproxyHashName;
  /** Names on the ketama ring, in shard order. @default server0..serverN-1 */
  names?: readonly string[];
  /** Weights, in shard order. @default 1 each */
  weights?: readonly number[];
}

function poolServers(shardCount: number, pool: PoolOptions): PoolServer[] {
  for (const [what, list] of [
    ['names', pool.names],
    ['weights', pool.weights],
  ] as const)
    if (list && list.length > 0 && list.length !== shardCount)
      throw new RangeError(`${list.length} ${what} for ${shardCount} shards; give one per shard`);
  return Array.from({ length: shardCount }, (_, i) => ({
    name: pool.names?.length ? pool.names[i]! : `server${i}`,
    weight: pool.weights?.length ? pool.weights[i]! : 1,
  }));
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

const FACTORIES: Record<StrategyName, (n: number, pool: PoolOptions) => ShardStrategy> = {
  alpha: alphaStrategy,
  hash: hashStrategy,
  md5: md5Strategy,
  ketama: ketamaStrategy,
  jump: jumpStrategy,
  modula: modulaStrategy,
};

/**
 * Builds a strategy by name; throws RangeError for a shard count below 1 or above 1024.
 * `pool` (hash, names, weights) tunes ketama and modula; the book's strategies and jump ignore it.
 */
export function createStrategy(
  name: StrategyName,
  shardCount: number,
  pool: PoolOptions = {},
): ShardStrategy {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 1024)
    throw new RangeError(`shard count must be an integer in 1..1024, got ${shardCount}`);
  const factory = FACTORIES[name];
  if (!factory)
    throw new RangeError(
      `unknown strategy ${JSON.stringify(name)}; expected one of ${STRATEGY_NAMES.join(', ')}`,
    );
  return factory(shardCount, pool);
}
