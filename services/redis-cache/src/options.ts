/** The cache's options, each with its default beside it, and the one defaults constant. */
import type { Logger } from '@fopnp/net';
import { DEFAULT_CONNECTION_TUNING, type Topology } from './topology/types.js';

/** How a value is encoded in Redis (codec.ts). */
export type SerializerName = 'json' | 'msgpack';
export const SERIALIZERS: readonly SerializerName[] = ['json', 'msgpack'];

export interface CacheOptions {
  topology: Topology;
  /** Prefix of every Redis key this cache writes. @default 'cache' */
  namespace?: string;
  /** Lifetime of a cached value. @default 60000 */
  ttlMs?: number;
  /** Lifetime of a cached "absent" (the loader returned undefined). @default 5000 */
  negativeTtlMs?: number;
  /** Each TTL is stretched by a random 0..jitter fraction so keys set together expire apart. @default 0.1 */
  ttlJitter?: number;
  /** Largest encoded value stored. @default 1048576 */
  maxValueBytes?: number;
  /** How values are encoded. Reads decode either. @default 'json' */
  serializer?: SerializerName;
  /** How long one process may hold a key's loader lock. @default 10000 */
  lockTtlMs?: number;
  /** How long other processes wait for that loader before loading themselves. @default 5000 */
  lockWaitMs?: number;
  /** How often a waiting process looks for the value. @default 20 */
  lockPollMs?: number;
  /** Bound on one Redis call; past it the cache fails open. @default 1000 */
  opTimeoutMs?: number;
  /** At start, how long calls wait for the first connection before failing open. @default 2000 */
  connectWaitMs?: number;
  /** While Redis is down, probe it this often so recovery is noticed without traffic. @default 1000 */
  probeIntervalMs?: number;
  logger?: Logger;
}

export const DEFAULT_CACHE_OPTIONS = {
  namespace: 'cache',
  ttlMs: 60_000,
  negativeTtlMs: 5_000,
  ttlJitter: 0.1,
  maxValueBytes: 1024 * 1024,
  serializer: 'json',
  lockTtlMs: 10_000,
  lockWaitMs: 5_000,
  lockPollMs: 20,
  opTimeoutMs: DEFAULT_CONNECTION_TUNING.commandTimeoutMs,
  connectWaitMs: 2_000,
  probeIntervalMs: 1_000,
} as const satisfies Omit<Required<CacheOptions>, 'topology' | 'logger'>;

/** How slow the HTTP API's /demo/slow/:key loader (and the `demo` command's) is, in ms. */
export const DEFAULT_DEMO_DELAY_MS = 500;

export type ResolvedCacheOptions = Omit<Required<CacheOptions>, 'logger'> & { logger: Logger };

export function resolveOptions(o: CacheOptions, fallbackLogger: Logger): ResolvedCacheOptions {
  const r = {
    ...DEFAULT_CACHE_OPTIONS,
    ...stripUndefined(o),
    topology: o.topology,
    logger: o.logger ?? fallbackLogger,
  };
  const positive = [
    'ttlMs',
    'negativeTtlMs',
    'maxValueBytes',
    'lockTtlMs',
    'lockPollMs',
    'opTimeoutMs',
  ] as const;
  for (const k of positive)
    if (!(Number.isFinite(r[k]) && r[k] > 0))
      throw new RangeError(`cache option ${k} must be > 0, got ${r[k]}`);
  if (!(r.ttlJitter >= 0 && r.ttlJitter <= 1))
    throw new RangeError(`cache option ttlJitter must be within 0..1, got ${r.ttlJitter}`);
  if (!(r.lockWaitMs >= 0)) throw new RangeError(`cache option lockWaitMs must be >= 0, got ${r.lockWaitMs}`);
  return r;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** TTL stretched by a random share of up to `jitter`. */
export function jitteredTtl(ttlMs: number, jitter: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(ttlMs * (1 + jitter * random())));
}
