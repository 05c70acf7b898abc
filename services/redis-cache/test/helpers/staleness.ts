/**
 * Replica reads, and the staleness they bring: shared by the cluster and sentinel tests.
 */
import { sleep } from '@fopnp/net/testing';
import { expect } from 'vitest';
import type { Cache } from '../../src/cache.js';
import type { RedisServer } from './redis-servers.js';

/** Polls `reader` until it answers `value` for `key`; returns how long that took, ms. */
async function untilReads(reader: Cache, key: string, value: unknown, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const r = await reader.get(key);
    if (r.status === 'hit' && r.value === value) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${key} never read as ${String(value)}`);
    await sleep(10);
  }
}

/**
 * The lag made visible: v1 is on the replicas; their replication stream is held (CLIENT PAUSE
 * WRITE on each replica: reads are still served, the master's writes wait — what a busy or
 * distant replica looks like); v2 is written and acknowledged by the master (no WAIT); an
 * immediate read from a replica still answers v1 while the master answers v2; once the pause
 * ends, the replica catches up.
 */
export async function staleReadAfterWrite(opts: {
  /** Reads from masters. */
  writer: Cache;
  /** Same namespace, reads from replicas. */
  reader: Cache;
  replicas: readonly RedisServer[];
  key: string;
}): Promise<{ caughtUpMs: number }> {
  const { writer, reader, replicas, key } = opts;
  await writer.set(key, 'v1');
  await untilReads(reader, key, 'v1');
  await Promise.all(replicas.map((r) => r.cli('CLIENT', 'PAUSE', '5000', 'WRITE')));
  try {
    await writer.set(key, 'v2');
    expect(await writer.get(key)).toMatchObject({ status: 'hit', value: 'v2' });
    expect(await reader.get(key)).toMatchObject({ status: 'hit', value: 'v1' });
  } finally {
    await Promise.all(replicas.map((r) => r.cli('CLIENT', 'UNPAUSE')));
  }
  return { caughtUpMs: await untilReads(reader, key, 'v2') };
}

/** With nothing held: `n` writes, each followed at once by a read through `reader`; how many were stale. */
export async function immediateStaleReads(reader: Cache, prefix: string, n: number): Promise<number> {
  let stale = 0;
  for (let i = 0; i < n; i++) {
    await reader.set(`${prefix}:${i}`, i);
    const r = await reader.get(`${prefix}:${i}`);
    if (!(r.status === 'hit' && r.value === i)) stale++;
  }
  return stale;
}
