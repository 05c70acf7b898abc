/**
 * The cache's own coded errors. Each has a stable code, an HTTP status (the service maps
 * them to JSON 4xx/5xx answers) and a message that tells the caller what to change.
 */

export const CACHE_ERROR_CODES = {
  FOPNP_CACHE_ERR_INVALID_KEY: 400,
  FOPNP_CACHE_ERR_INVALID_VALUE: 400,
  FOPNP_CACHE_ERR_INVALID_TTL: 400,
  FOPNP_CACHE_ERR_NOT_FOUND: 404,
  FOPNP_CACHE_ERR_NO_ROUTE: 404,
  FOPNP_CACHE_ERR_VALUE_TOO_LARGE: 413,
  FOPNP_CACHE_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  FOPNP_CACHE_ERR_INTERNAL: 500,
  FOPNP_CACHE_ERR_UNAVAILABLE: 503,
} as const;

export type CacheErrorCode = keyof typeof CACHE_ERROR_CODES;

export class CacheError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: CacheErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.statusCode = CACHE_ERROR_CODES[code];
  }
}

/** ?ttlMs= that is not a positive integer. */
export class InvalidTtlError extends CacheError {
  constructor(got: string) {
    super(
      'FOPNP_CACHE_ERR_INVALID_TTL',
      `ttlMs must be a positive integer of milliseconds up to ${Number.MAX_SAFE_INTEGER}, got ${JSON.stringify(got)}`,
    );
  }
}

/** A method and path the API does not have. */
export class NoRouteError extends CacheError {
  constructor(method: string, path: string) {
    super(
      'FOPNP_CACHE_ERR_NO_ROUTE',
      `no route ${method} ${path}; try GET/PUT/DELETE /cache/:key, GET /where/:key, GET /stats, GET /demo/slow/:key`,
    );
  }
}

/** Empty, over-long or control-character keys. */
export class InvalidKeyError extends CacheError {
  constructor(detail: string) {
    super('FOPNP_CACHE_ERR_INVALID_KEY', `invalid cache key: ${detail}`);
  }
}

/** A value the serializer cannot encode, or a request body that is not valid JSON. */
export class InvalidValueError extends CacheError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('FOPNP_CACHE_ERR_INVALID_VALUE', `invalid value: ${detail}`, options);
  }
}

/** GET of a key that is not cached (or is cached as absent). */
export class NotFoundError extends CacheError {
  constructor(readonly key: string) {
    super('FOPNP_CACHE_ERR_NOT_FOUND', `key "${key}" is not in the cache`);
  }
}

/** The encoded value is larger than maxValueBytes. */
export class ValueTooLargeError extends CacheError {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(
      'FOPNP_CACHE_ERR_VALUE_TOO_LARGE',
      `value of ${size} bytes exceeds the limit of ${limit} bytes (raise --max-value-bytes / CACHE_MAX_VALUE_BYTES or store less)`,
    );
  }
}

export class UnsupportedMediaTypeError extends CacheError {
  constructor(got: string | undefined) {
    super(
      'FOPNP_CACHE_ERR_UNSUPPORTED_MEDIA_TYPE',
      `content-type must be application/json, got ${got ? JSON.stringify(got) : 'none'}`,
    );
  }
}

/** Redis did not answer: raised only where failing open is impossible (explicit writes, reads without a loader). */
export class CacheUnavailableError extends CacheError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(
      'FOPNP_CACHE_ERR_UNAVAILABLE',
      `cache unavailable: ${what} (is Redis running? the cache retries by itself)`,
      options,
    );
  }
}
