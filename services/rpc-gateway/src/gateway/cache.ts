/**
 * The redis-cache adapter: cache.get and cache.set as GET/PUT /cache/:key on its HTTP API,
 * through the downstream's deadline and breaker. A miss is nil, not a fault.
 */
import { MAX_KEY_LENGTH } from '@fopnp/redis-cache/protocol';
import { InvalidParamsError } from '../errors.js';
import type { Downstream } from './downstream.js';
import { failed, parseJsonReply, rejected, request, withSlash } from './http.js';

function checkKey(method: string, key: string): void {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH)
    throw new InvalidParamsError(`${method}: key must be 1 to ${MAX_KEY_LENGTH} characters`);
  // URL resolution turns a path segment of . or .. (even %2e%2e) into a move up:
  // cache/.. would be a request to the service's root, not for that key.
  if (key === '.' || key === '..')
    throw new InvalidParamsError(`${method}: key cannot be "." or ".." (not a URL path segment)`);
}

function keyUrl(base: URL, key: string, query = ''): URL {
  return new URL(`cache/${encodeURIComponent(key)}${query}`, withSlash(base));
}

/** cache.get(key): the stored value, or null for a miss. */
export async function cacheGet(down: Downstream, base: URL, key: string): Promise<unknown> {
  checkKey('cache.get(key)', key);
  return request(
    down,
    'cache.get',
    keyUrl(base, key),
    { headers: { accept: 'application/json' } },
    (reply) => {
      // A miss is 404 FOPNP_REDIS_CACHE_ERR_NOT_FOUND; any other 404 (no such route) means a
      // wrong CACHE_URL, reported rather than taken for a miss.
      if (reply.status === 404 && reply.body.includes('FOPNP_REDIS_CACHE_ERR_NOT_FOUND')) return null;
      if (reply.status >= 400 && reply.status < 500) throw rejected(down, reply);
      if (reply.status !== 200) throw failed(down, reply);
      return parseJsonReply(down, reply);
    },
  );
}

/** cache.set(key, value, [ttlSeconds]): true once stored. */
export async function cacheSet(
  down: Downstream,
  base: URL,
  key: string,
  value: unknown,
  ttl: number | undefined,
): Promise<boolean> {
  checkKey('cache.set(key, value, [ttlSeconds])', key);
  if (ttl !== undefined && ttl <= 0) throw new InvalidParamsError('cache.set: ttlSeconds must be positive');
  const query = ttl === undefined ? '' : `?ttlMs=${ttl * 1000}`;
  const body = JSON.stringify(Buffer.isBuffer(value) ? value.toString('base64') : value);
  return request(
    down,
    'cache.set',
    keyUrl(base, key, query),
    { method: 'PUT', body, headers: { 'content-type': 'application/json' } },
    (reply) => {
      if (reply.status >= 400 && reply.status < 500) throw rejected(down, reply);
      if (reply.status < 200 || reply.status >= 300) throw failed(down, reply);
      return true;
    },
  );
}
