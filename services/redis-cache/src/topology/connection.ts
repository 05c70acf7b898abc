/**
 * ioredis options shared by every topology, chosen for a cache that must fail open:
 * no offline queue (a command while disconnected fails at once instead of waiting for a
 * reconnect), one try per command, a command timeout, and endless capped reconnects so the
 * cache recovers by itself when Redis comes back.
 */
import { once } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import { type ConnectionTuning, DEFAULT_CONNECTION_TUNING } from './types.js';

export function redisOptions(t: ConnectionTuning = {}): RedisOptions {
  return {
    enableAutoPipelining: t.autoPipelining ?? DEFAULT_CONNECTION_TUNING.autoPipelining,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutOf(t),
    connectTimeout: t.connectTimeoutMs ?? DEFAULT_CONNECTION_TUNING.connectTimeoutMs,
    connectionName: t.connectionName ?? DEFAULT_CONNECTION_TUNING.connectionName,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    // An error event without a listener would crash the process; the cache logs outages itself.
    lazyConnect: false,
  };
}

/** The per-command bound redisOptions(t) gives every connection. */
export function commandTimeoutOf(t: ConnectionTuning = {}): number {
  return t.commandTimeoutMs ?? DEFAULT_CONNECTION_TUNING.commandTimeoutMs;
}

/** Connects to a redis:// URL (host, port, password, db) with the fail-open options. */
export function connectRedis(url: string, t: ConnectionTuning = {}): Redis {
  const client = new Redis(url, redisOptions(t));
  client.on('error', () => {});
  return client;
}

/** Resolves true once `client` is ready, false after `timeoutMs`. Never throws. */
export async function waitClientReady(
  client: { status: string } & NodeJS.EventEmitter,
  timeoutMs: number,
): Promise<boolean> {
  if (client.status === 'ready') return true;
  const ac = new AbortController();
  // Unref'd: a client closed before it was ever ready must not hold the process open until the timeout.
  const timer = setTimeout(() => ac.abort(), timeoutMs).unref();
  try {
    await once(client, 'ready', { signal: ac.signal });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Closes politely (QUIT) when connected, at once otherwise, and never throws. */
export async function closeClient(client: { status: string; quit(): Promise<unknown>; disconnect(): void }) {
  if (client.status === 'ready') {
    try {
      await Promise.race([client.quit(), new Promise((r) => setTimeout(r, 500))]);
    } catch {
      /* already gone */
    }
  }
  client.disconnect();
}
