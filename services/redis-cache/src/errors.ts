/**
 * The cache's own coded errors, declared with the kit's `defineErrors`. Each has a stable
 * code, an HTTP status (the service answers them with the one JSON error body) and a message
 * that tells the caller what to change.
 */
import { defineErrors, NetError } from '@fopnp/net';

export const CACHE_ERRORS = defineErrors('redis-cache', {
  /** Empty, over-long or control-character keys. */
  INVALID_KEY: { statusCode: 400, message: (detail: string) => `invalid cache key: ${detail}` },
  /** A value the serializer cannot encode, or a request body that is not valid JSON. */
  INVALID_VALUE: { statusCode: 400, message: (detail: string) => `invalid value: ${detail}` },
  /** ?ttlMs= that is not a positive integer. */
  INVALID_TTL: {
    statusCode: 400,
    message: (got: string) =>
      `ttlMs must be a positive integer of milliseconds up to ${Number.MAX_SAFE_INTEGER}, got ${JSON.stringify(got)}`,
  },
  /** GET of a key that is not cached (or is cached as absent). */
  NOT_FOUND: { statusCode: 404, message: (key: string) => `key "${key}" is not in the cache` },
  /** A method and path the API does not have. */
  NO_ROUTE: {
    statusCode: 404,
    message: (method: string, path: string) =>
      `no route ${method} ${path}; try GET/PUT/DELETE /cache/:key, GET /where/:key, GET /stats, GET /demo/slow/:key`,
  },
  /** The encoded value (or the whole request body) is larger than the limit. */
  VALUE_TOO_LARGE: {
    statusCode: 413,
    message: (what: string, limit: number) =>
      `${what} exceeds the limit of ${limit} bytes (raise --max-value-bytes / CACHE_MAX_VALUE_BYTES or store less)`,
  },
  /**
   * A GET of a key whose stored entry is larger than the value limit (planted by another
   * client, or by a cache with a larger limit): refused before it is read.
   */
  STORED_VALUE_TOO_LARGE: {
    statusCode: 502,
    message: (key: string, size: string, limit: number) =>
      `key "${key}" holds ${size} in Redis, over the limit of ${limit} bytes: not read (written by another client or a cache with a larger --max-value-bytes / CACHE_MAX_VALUE_BYTES; delete it or raise the limit)`,
  },
  UNSUPPORTED_MEDIA_TYPE: {
    statusCode: 415,
    message: (got: string | undefined) =>
      `content-type must be application/json, got ${got ? JSON.stringify(got) : 'none'}`,
  },
  /** Redis did not answer: raised only where failing open is impossible. */
  UNAVAILABLE: {
    statusCode: 503,
    message: (what: string) => `cache unavailable: ${what} (is Redis running? the cache retries by itself)`,
  },
});

export type CacheErrorCode = (typeof CACHE_ERRORS.codes)[keyof typeof CACHE_ERRORS.codes];

/** Base of the cache's own errors. */
export class CacheError extends NetError {}

/** ?ttlMs= that is not a positive integer. */
export class InvalidTtlError extends CacheError {
  constructor(got: string) {
    super(CACHE_ERRORS.describe('INVALID_TTL', got));
  }
}

/** A method and path the API does not have. */
export class NoRouteError extends CacheError {
  constructor(method: string, path: string) {
    super(CACHE_ERRORS.describe('NO_ROUTE', method, path));
  }
}

/** Empty, over-long or control-character keys. */
export class InvalidKeyError extends CacheError {
  constructor(detail: string) {
    super(CACHE_ERRORS.describe('INVALID_KEY', detail));
  }
}

/** A value the serializer cannot encode, or a request body that is not valid JSON. */
export class InvalidValueError extends CacheError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(CACHE_ERRORS.describe('INVALID_VALUE', detail), options);
  }
}

/** GET of a key that is not cached (or is cached as absent). */
export class NotFoundError extends CacheError {
  constructor(readonly key: string) {
    super(CACHE_ERRORS.describe('NOT_FOUND', key));
  }
}

/** The encoded value is larger than maxValueBytes. */
export class ValueTooLargeError extends CacheError {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(CACHE_ERRORS.describe('VALUE_TOO_LARGE', `value of ${size} bytes`, limit));
  }
}

/** A stored entry over maxValueBytes, refused before it was read whole (GETRANGE, then STRLEN). */
export class StoredValueTooLargeError extends CacheError {
  constructor(
    readonly key: string,
    readonly size: number | undefined,
    readonly limit: number,
  ) {
    super(
      CACHE_ERRORS.describe(
        'STORED_VALUE_TOO_LARGE',
        key,
        size === undefined ? `more than ${limit} bytes` : `${size} bytes`,
        limit,
      ),
    );
  }
}

/** A request body over fastify's body limit, refused before it is parsed. */
export class BodyTooLargeError extends CacheError {
  constructor(readonly limit: number) {
    super(CACHE_ERRORS.describe('VALUE_TOO_LARGE', 'request body', limit));
  }
}

export class UnsupportedMediaTypeError extends CacheError {
  constructor(got: string | undefined) {
    super(CACHE_ERRORS.describe('UNSUPPORTED_MEDIA_TYPE', got));
  }
}

/** Redis did not answer: raised only where failing open is impossible (explicit writes, reads without a loader). */
export class CacheUnavailableError extends CacheError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(CACHE_ERRORS.describe('UNAVAILABLE', what), options);
  }
}
