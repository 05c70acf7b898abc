/**
 * Coded errors of http-app, declared with the kit's `defineErrors` (fastify's lib/errors.js
 * is the model): a stable code, a message that says what to change, and the HTTP status that
 * goes with it. Command-line mistakes (bad URL, bad header, short secret) use @fopnp/net's
 * InvalidConfigError instead.
 */
import { defineErrors, NetError } from '@fopnp/net';

export const HTTP_APP_ERRORS = defineErrors('http-app', {
  MALFORMED_FORM: {
    statusCode: 400,
    message: (detail: string) => `malformed form body: ${detail}`,
  },
  MALFORMED_JSON: {
    statusCode: 400,
    message: (detail: string) => `malformed JSON body: ${detail}`,
  },
  TOO_MANY_FIELDS: {
    statusCode: 413,
    message: (detail: string) => `form body has too many fields: ${detail}`,
  },
  JSON_TOO_DEEP: {
    statusCode: 400,
    message: (detail: string) => `JSON body nested too deep: ${detail}`,
  },
  BAD_PARAMETER: {
    statusCode: 400,
    message: (detail: string) => `bad parameter: ${detail}`,
  },
  CSRF: {
    statusCode: 403,
    message: (_detail?: string) =>
      'the form is stale or came from another site (CSRF token missing or wrong): reload the page',
  },
  NO_ROUTE: {
    statusCode: 404,
    message: (method: string, path: string) => `no endpoint ${method} ${path}; GET / lists them`,
  },
  METHOD_NOT_ALLOWED: {
    statusCode: 405,
    message: (path: string, allowed: string, method: string) => `${path} answers ${allowed}, not ${method}`,
  },
});

/** The name of an entry: 'CSRF' for FOPNP_HTTP_APP_ERR_CSRF. */
export type HttpAppErrorName = keyof typeof HTTP_APP_ERRORS.specs;
export type HttpAppErrorCode = (typeof HTTP_APP_ERRORS.codes)[HttpAppErrorName];

/** http-app's own errors: every entry but NO_ROUTE and METHOD_NOT_ALLOWED takes one detail. */
export class HttpAppError extends NetError {
  constructor(
    name: Exclude<HttpAppErrorName, 'NO_ROUTE' | 'METHOD_NOT_ALLOWED'>,
    detail = '',
    options?: { cause?: unknown },
  ) {
    super(HTTP_APP_ERRORS.describe(name, detail), options);
  }
}

/** A method and path the echo server does not have. */
export class NoRouteError extends NetError {
  constructor(method: string, path: string) {
    super(HTTP_APP_ERRORS.describe('NO_ROUTE', method, path));
  }
}

/** A route the echo server has, asked with a method it does not answer. */
export class MethodNotAllowedError extends NetError {
  constructor(path: string, allowed: readonly string[], method: string) {
    super(HTTP_APP_ERRORS.describe('METHOD_NOT_ALLOWED', path, allowed.join(', '), method));
  }
}
