/**
 * Cache-aside over Redis (book ch. 8): look in the cache, on a miss call the loader and
 * store what it returns. Guarded against stampedes twice over: concurrent misses in one
 * process share one flight, and across processes a SET NX lock lets one loader run while
 * the others wait for its value. If Redis cannot be reached the cache fails open: loaders
 * are called directly, the outage is logged once, and caching resumes by itself.
 */
import { createLogger, type Logger, sleep, withTimeout } from '@fopnp/net';
import { Availability } from './availability.js';
import { ABSENT_ENTRY, type Decoded, encodeValue } from './codec.js';
import { type EntryRead, ForeignEntries, readEntry } from './entry.js';
import { CacheUnavailableError, StoredValueTooLargeError, ValueTooLargeError } from './errors.js';
import { KeySpace, validateKey } from './keys.js';
import { acquireLock, newLockToken, releaseLock } from './lock.js';
import { type CacheOptions, jitteredTtl, type ResolvedCacheOptions, resolveOptions } from './options.js';
import { countKeys, deleteKeys, type ShardKeyCount } from './scan.js';
import { ShardStats } from './shard-stats.js';
import { SingleFlight } from './single-flight.js';
import type { KeyLocation, Route, Topology } from './topology/types.js';

export type Loader<T> = () => Promise<T | undefined> | T | undefined;

export interface LoadOptions {
  /** Overrides the cache's ttlMs for this value. */
  ttlMs?: number;
  /** Overrides the cache's negativeTtlMs when the loader returns undefined. */
  negativeTtlMs?: number;
}

/** Where a getOrLoad answer came from. */
export type LoadSource = 'cache' | 'loader' | 'other-process' | 'coalesced' | 'fail-open';

export interface LoadResult<T> {
  value: T | undefined;
  source: LoadSource;
}

/** A lookup's answer; `shard` names the owner that answered (the x-cache-shard header). */
export type Lookup = ({ status: 'hit'; value: unknown } | { status: 'absent' } | { status: 'miss' }) & {
  shard: string;
};

export interface CacheStats {
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 before the first lookup. */
  hitRatio: number;
  loaderCalls: number;
  /** getOrLoad calls that joined a flight already running in this process. */
  coalesced: number;
  /** Misses answered by a loader running in another process (seen through the lock). */
  fromOtherProcess: number;
  /** Loader calls made because Redis could not be reached. */
  failOpen: number;
  /** Values not cached because they exceeded maxValueBytes. */
  oversize: number;
  /** Stored entries over maxValueBytes, refused without reading them whole (get: an error; getOrLoad: a miss). */
  oversizeReads: number;
  /** Entries this cache cannot read (a list, bytes without a cache tag, corrupt JSON): each read a miss. */
  foreign: number;
  outages: number;
}

let sharedDefaultLogger: Logger | undefined;
/** Without a logger: one shared JSON logger, warnings only, on stderr (stdout belongs to the program). */
function defaultLogger(): Logger {
  sharedDefaultLogger ??= createLogger('redis-cache', { level: 'warn', destination: process.stderr });
  return sharedDefaultLogger;
}

/** A stored entry (value or negative "absent") as a getOrLoad answer. */
function fromEntry(decoded: Decoded, source: LoadSource): LoadResult<unknown> {
  return { value: decoded.found ? decoded.value : undefined, source };
}

/** wrongType: Redis answered WRONGTYPE (the key holds a list, a set...): no outage. */
type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown; wrongType?: boolean };

function isWrongType(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('WRONGTYPE');
}

export class Cache {
  readonly options: ResolvedCacheOptions;
  readonly topology: Topology;
  readonly keys: KeySpace;
  readonly availability: Availability;
  /** Hits, misses, fail-opens and Redis calls per owner (shard, node, master). */
  readonly perShard = new ShardStats();
  private readonly flights = new SingleFlight<LoadResult<unknown>>();
  private readonly counters = {
    hits: 0,
    misses: 0,
    loaderCalls: 0,
    coalesced: 0,
    fromOtherProcess: 0,
    failOpen: 0,
    oversize: 0,
    oversizeReads: 0,
  };
  private readonly foreign: ForeignEntries;
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Until the first connection is up (or connectWaitMs passed), calls wait instead of failing open. */
  private starting: Promise<void> | undefined;
  /**
   * ioredis's commandTimeout already bounds each call (one command a call) unless the
   * topology cannot say so (cluster retries) or its bound is longer than opTimeoutMs: only
   * then a second timer per call (it cost ~10 % of a hit's CPU).
   */
  private readonly ownTimer: boolean;

  constructor(options: CacheOptions) {
    this.options = resolveOptions(options, defaultLogger());
    this.topology = options.topology;
    const bound = this.topology.commandTimeoutMs;
    this.ownTimer = bound === undefined || bound > this.options.opTimeoutMs;
    this.foreign = new ForeignEntries(this.options.logger);
    this.keys = new KeySpace(this.options.namespace);
    this.availability = new Availability(this.options.logger, (id) => options.topology.addressOf?.(id));
    this.starting = this.topology.waitReady(this.options.connectWaitMs).then(() => {
      this.starting = undefined;
    });
  }

  /** Resolves once the first connection attempt finished (connected, or gave up after connectWaitMs). */
  async started(): Promise<void> {
    await this.starting;
  }

  /** Cached value of `key`, or the loader's (then cached). undefined = absent, cached negatively. */
  async getOrLoad<T>(key: string, loader: Loader<T>, opts: LoadOptions = {}): Promise<T | undefined> {
    return (await this.getOrLoadDetailed(key, loader, opts)).value;
  }

  /** getOrLoad that also says where the answer came from. */
  getOrLoadDetailed<T>(key: string, loader: Loader<T>, opts: LoadOptions = {}): Promise<LoadResult<T>> {
    try {
      validateKey(key);
    } catch (err) {
      return Promise.reject(err);
    }
    const { promise, joined } = this.flights.run(key, () =>
      this.loadThrough(key, loader as Loader<unknown>, opts),
    );
    if (!joined) return promise as Promise<LoadResult<T>>;
    this.counters.coalesced++;
    return promise.then((r) => ({ value: r.value as T | undefined, source: 'coalesced' as const }));
  }

  /** One lookup, no loader. Throws CacheUnavailableError when Redis cannot be reached. */
  async get(key: string): Promise<Lookup> {
    validateKey(key);
    const dataKey = this.keys.data(key);
    const route = this.topology.route(dataKey, key);
    const read = await this.read(route, route.reader ?? route.client, dataKey);
    if (read.kind === 'down')
      throw new CacheUnavailableError(`reading "${key}" from ${route.id}`, { cause: read.error });
    if (read.kind === 'oversize')
      throw new StoredValueTooLargeError(key, read.bytes, this.options.maxValueBytes);
    if (read.kind !== 'entry') {
      this.counters.misses++;
      this.perShard.of(route.id).misses++;
      return { status: 'miss', shard: route.id };
    }
    this.counters.hits++;
    this.perShard.of(route.id).hits++;
    return read.decoded.found
      ? { status: 'hit', value: read.decoded.value, shard: route.id }
      : { status: 'absent', shard: route.id };
  }

  /** Stores a value. Throws ValueTooLargeError, InvalidValueError or CacheUnavailableError. */
  async set(
    key: string,
    value: unknown,
    opts: { ttlMs?: number } = {},
  ): Promise<{ bytes: number; ttlMs: number }> {
    validateKey(key);
    const encoded = this.encodeChecked(value);
    const ttlMs = jitteredTtl(opts.ttlMs ?? this.options.ttlMs, this.options.ttlJitter);
    const dataKey = this.keys.data(key);
    const route = this.topology.route(dataKey, key);
    const r = await this.attempt(route, () => route.client.set(dataKey, encoded, 'PX', ttlMs));
    if (!r.ok) throw new CacheUnavailableError(`writing "${key}" to ${route.id}`, { cause: r.error });
    return { bytes: encoded.length, ttlMs };
  }

  /** Removes a key (value or negative entry). True when something was removed. */
  async delete(key: string): Promise<boolean> {
    validateKey(key);
    const dataKey = this.keys.data(key);
    const route = this.topology.route(dataKey, key);
    const r = await this.attempt(route, () => route.client.unlink(dataKey));
    if (!r.ok) throw new CacheUnavailableError(`deleting "${key}" on ${route.id}`, { cause: r.error });
    return r.value > 0;
  }

  stats(): CacheStats {
    const { hits, misses } = this.counters;
    return {
      ...this.counters,
      foreign: this.foreign.count,
      hitRatio: hits + misses ? hits / (hits + misses) : 0,
      outages: this.availability.outageCount,
    };
  }

  /** Which shard / node / master holds `key` under the current topology (no Redis call for client-side shards). */
  async locate(key: string): Promise<KeyLocation> {
    validateKey(key);
    return this.topology.locate(this.keys.data(key), key);
  }

  /** Keys of this namespace on each data server (SCAN, so it does not block Redis). */
  async shardKeyCounts(): Promise<ShardKeyCount[]> {
    await this.starting;
    return countKeys(this.topology.dataNodes(), this.keys.pattern(), this.options.opTimeoutMs * 5);
  }

  /** Deletes every key of this namespace (values and locks) on every data server. */
  async clear(): Promise<number> {
    await this.starting;
    return deleteKeys(this.topology.dataNodes(), [this.keys.pattern(), this.keys.lockPattern()]);
  }

  /** PINGs every owner, updating availability; 'degraded' while any is unreachable. */
  /** Owner ids with their address where the id does not say it: `single (redis://127.0.0.1:6379)`. */
  describe(ids: readonly string[]): string {
    return ids
      .map((id) => {
        const address = this.options.topology.addressOf?.(id);
        return address ? `${id} (${address})` : id;
      })
      .join(', ');
  }

  async probe(): Promise<{ status: 'ok' | 'degraded'; down: string[] }> {
    const targets = this.topology.probeTargets();
    await Promise.all(
      targets.map(async (t) => {
        if ((await this.attempt(t, () => t.ping())).ok) this.availability.success(t.id);
      }),
    );
    if (targets.length) this.availability.retain(targets.map((t) => t.id));
    return { status: this.availability.status(), down: this.availability.down().map((o) => o.id) };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.probeTimer);
    await this.topology.close();
  }

  private async loadThrough(
    key: string,
    loader: Loader<unknown>,
    opts: LoadOptions,
  ): Promise<LoadResult<unknown>> {
    const dataKey = this.keys.data(key);
    const route = this.topology.route(dataKey, key);
    const cached = await this.read(route, route.reader ?? route.client, dataKey);
    if (cached.kind === 'down') return this.failOpen(route.id, loader);
    if (cached.kind === 'entry') {
      this.counters.hits++;
      this.perShard.of(route.id).hits++;
      return fromEntry(cached.decoded, 'cache');
    }
    // Nothing, a foreign entry or an oversize one: a miss, whose load overwrites it.
    this.counters.misses++;
    this.perShard.of(route.id).misses++;

    const lockKey = this.keys.lock(key);
    const lockRoute = this.topology.route(lockKey, key);
    const token = newLockToken();
    const { lockTtlMs, lockWaitMs, lockPollMs } = this.options;
    const deadline = Date.now() + lockWaitMs;
    for (;;) {
      const locked = await this.attempt(lockRoute, () =>
        acquireLock(lockRoute.client, lockKey, token, lockTtlMs),
      );
      if (!locked.ok) return this.failOpen(lockRoute.id, loader);
      if (locked.value) {
        try {
          // Another process may have stored the value between our miss and our lock.
          const again = await this.read(route, route.client, dataKey);
          if (again.kind === 'entry') {
            this.counters.fromOtherProcess++;
            return fromEntry(again.decoded, 'other-process');
          }
          return await this.loadAndStore(route, dataKey, loader, opts);
        } finally {
          await this.attempt(lockRoute, () => releaseLock(lockRoute.client, lockKey, token));
        }
      }
      // Someone else is loading: wait for their value, or for the lock to free up.
      await sleep(lockPollMs);
      const seen = await this.read(route, route.client, dataKey);
      if (seen.kind === 'down') return this.failOpen(route.id, loader);
      if (seen.kind === 'entry') {
        this.counters.fromOtherProcess++;
        return fromEntry(seen.decoded, 'other-process');
      }
      // The other loader is too slow (or died holding the lock): load without waiting more.
      if (Date.now() >= deadline) return this.loadAndStore(route, dataKey, loader, opts);
    }
  }

  private async loadAndStore(
    route: Route,
    dataKey: string,
    loader: Loader<unknown>,
    opts: LoadOptions,
  ): Promise<LoadResult<unknown>> {
    const value = await this.callLoader(loader);
    await this.store(route, dataKey, value, opts);
    return { value, source: 'loader' };
  }

  private async callLoader(loader: Loader<unknown>): Promise<unknown> {
    this.counters.loaderCalls++;
    return await loader();
  }

  private async failOpen(shard: string, loader: Loader<unknown>): Promise<LoadResult<unknown>> {
    this.counters.failOpen++;
    this.perShard.of(shard).failOpen++;
    return { value: await this.callLoader(loader), source: 'fail-open' };
  }

  private async store(route: Route, dataKey: string, value: unknown, opts: LoadOptions): Promise<void> {
    let encoded: Buffer;
    let ttl: number;
    if (value === undefined) {
      encoded = ABSENT_ENTRY;
      ttl = opts.negativeTtlMs ?? this.options.negativeTtlMs;
    } else {
      encoded = encodeValue(value, this.options.serializer);
      ttl = opts.ttlMs ?? this.options.ttlMs;
      if (encoded.length > this.options.maxValueBytes) {
        this.counters.oversize++;
        this.options.logger.warn(
          { key: dataKey, bytes: encoded.length, limit: this.options.maxValueBytes },
          'loaded value too large to cache: returned uncached',
        );
        return;
      }
    }
    const px = jitteredTtl(ttl, this.options.ttlJitter);
    await this.attempt(route, () => route.client.set(dataKey, encoded, 'PX', px));
  }

  private encodeChecked(value: unknown): Buffer {
    const encoded = encodeValue(value, this.options.serializer);
    if (encoded.length > this.options.maxValueBytes)
      throw new ValueTooLargeError(encoded.length, this.options.maxValueBytes);
    return encoded;
  }

  /**
   * Reads a stored entry without ever reading more than maxValueBytes + 1 of it (GETRANGE), and
   * says what it is. An entry this cache cannot read is logged (once a key) and counted, an
   * oversize one counted and measured (STRLEN); neither is an outage.
   */
  private async read(route: Route, client: Route['client'], dataKey: string): Promise<EntryRead> {
    const limit = this.options.maxValueBytes;
    const r = await this.attempt(route, () => client.getrangeBuffer(dataKey, 0, limit));
    const read = readEntry(r, limit);
    if (read.kind === 'foreign') this.foreign.seen(dataKey, read.reason);
    else if (read.kind === 'oversize') {
      this.counters.oversizeReads++;
      const size = await this.attempt(route, () => client.strlen(dataKey));
      if (size.ok) read.bytes = size.value;
      this.options.logger.warn(
        { key: dataKey, bytes: read.bytes, limit },
        'stored entry over the value limit: not read (get answers an error, getOrLoad loads and overwrites it)',
      );
    }
    return read;
  }

  /**
   * Runs one Redis call bounded by opTimeoutMs (ioredis's commandTimeout, or a timer of our
   * own: see ownTimer). A failure starts an outage of the owner; only a probe ends it. During
   * a cluster failover calls succeed and fail by turns while the nodes' slot tables disagree,
   * and counting those successes would log one outage per flip. WRONGTYPE is Redis answering
   * about a foreign entry, not an outage.
   */
  private async attempt<T>(route: { id: string }, call: () => Promise<T>): Promise<Attempt<T>> {
    if (this.starting) await this.starting;
    const started = performance.now();
    try {
      const value = await (this.ownTimer
        ? withTimeout(call(), this.options.opTimeoutMs, `redis call to ${route.id}`)
        : call());
      this.perShard.call(route.id, performance.now() - started, true);
      return { ok: true, value };
    } catch (error) {
      const wrongType = isWrongType(error);
      this.perShard.call(route.id, performance.now() - started, wrongType);
      if (wrongType) return { ok: false, error, wrongType };
      this.availability.failure(route.id, error);
      this.startProbing();
      return { ok: false, error };
    }
  }

  private startProbing(): void {
    if (this.probeTimer || this.closed) return;
    let probing = false;
    this.probeTimer = setInterval(() => {
      if (probing) return; // a probe may take up to opTimeoutMs; never stack them
      probing = true;
      void this.probe()
        .then((r) => {
          if (r.status === 'ok' && this.probeTimer) {
            clearInterval(this.probeTimer);
            this.probeTimer = undefined;
          }
        })
        .finally(() => {
          probing = false;
        });
    }, this.options.probeIntervalMs);
    this.probeTimer.unref();
  }
}
