/**
 * What a bounded read of a stored entry found. The cache reads with GETRANGE 0..limit, so at
 * most limit + 1 bytes cross the wire whatever another client planted under the key (a GET of
 * a 100 MB value cost the process 613 MiB). What it cannot read (a list, bytes without a cache
 * tag, corrupt JSON behind one) is a foreign entry: a miss, logged once a key and counted,
 * never an outage or a server error.
 */
import type { Logger } from '@fopnp/net';
import { type Decoded, decodeValue } from './codec.js';

export type EntryRead =
  /** Redis did not answer. */
  | { kind: 'down'; error: unknown }
  /** No such key (or an empty string, which no cache entry is). */
  | { kind: 'none' }
  | { kind: 'entry'; decoded: Decoded }
  | { kind: 'foreign'; reason: string }
  /** Over the limit; `bytes` is its STRLEN when that could be asked. */
  | { kind: 'oversize'; bytes?: number };

/** One attempted GETRANGE: its bytes, or the error (wrongType: Redis said WRONGTYPE). */
export type RangeAttempt = { ok: true; value: Buffer } | { ok: false; error: unknown; wrongType?: boolean };

export function readEntry(r: RangeAttempt, limit: number): EntryRead {
  if (!r.ok) {
    return r.wrongType
      ? { kind: 'foreign', reason: 'the key holds another type (a list, set or hash?): WRONGTYPE' }
      : { kind: 'down', error: r.error };
  }
  const raw = r.value;
  if (raw.length === 0) return { kind: 'none' };
  if (raw.length > limit) return { kind: 'oversize' };
  try {
    return { kind: 'entry', decoded: decodeValue(raw) };
  } catch (err) {
    return { kind: 'foreign', reason: (err as Error).message };
  }
}

/** Keys remembered so a foreign entry read again and again is logged once, not per read. */
const REMEMBERED = 1024;

/** Counts every read of a foreign entry; logs each key's first (a bounded memory of keys). */
export class ForeignEntries {
  count = 0;
  private readonly logged = new Set<string>();

  constructor(private readonly logger: Logger) {}

  seen(key: string, reason: string): void {
    this.count++;
    if (this.logged.has(key)) return;
    if (this.logged.size >= REMEMBERED) this.logged.clear();
    this.logged.add(key);
    this.logger.warn(
      { key, reason },
      'foreign or corrupt cache entry: treated as a miss (getOrLoad overwrites it with the loaded value)',
    );
  }
}
