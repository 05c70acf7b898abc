/**
 * What a client of the cache's HTTP API must know, in a module that imports nothing, so a
 * client (rpc-gateway's cache adapter) can use it without the cache's dependencies
 * (`@fopnp/redis-cache/protocol`).
 */

/** Longest user key accepted, in UTF-8 bytes. Redis allows 512 MiB, but a key that long is a bug. */
export const MAX_KEY_LENGTH = 512;
