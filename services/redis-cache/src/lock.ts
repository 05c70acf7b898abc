/**
 * The cross-process loader lock: SET key token NX PX ttl. Only the holder of the token may
 * release it, checked and deleted atomically in Lua, so a holder whose lock already expired
 * cannot delete the lock a second process took over in the meantime.
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from './topology/types.js';

export const RELEASE_LOCK_LUA = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`;

export function newLockToken(): string {
  return `${process.pid}:${randomBytes(12).toString('hex')}`;
}

/** True when this caller now holds the lock. */
export async function acquireLock(client: RedisClient, key: string, token: string, ttlMs: number) {
  return (await client.set(key, token, 'PX', ttlMs, 'NX')) === 'OK';
}

/** True when the lock was still ours and is now gone. */
export async function releaseLock(client: RedisClient, key: string, token: string): Promise<boolean> {
  return (await client.eval(RELEASE_LOCK_LUA, 1, key, token)) === 1;
}
