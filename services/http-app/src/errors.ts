/**
 * Coded errors of http-app, in the manner of fastify's lib/errors.js: a stable code, a
 * message that says what to change, and the HTTP status that goes with it. Command-line
 * mistakes (bad URL, bad header, short secret) use @fopnp/net's InvalidConfigError instead.
 */

export const HTTP_APP_ERRORS = {
  HTTP_APP_ERR_MALFORMED_FORM: {
    statusCode: 400,
    message: (detail: string) => `malformed form body: ${detail}`,
  },
  HTTP_APP_ERR_MALFORMED_JSON: {
    statusCode: 400,
    message: (detail: string) => `malformed JSON body: ${detail}`,
  },
  HTTP_APP_ERR_BAD_PARAMETER: {
    statusCode: 400,
    message: (detail: string) => `bad parameter: ${detail}`,
  },
  HTTP_APP_ERR_CSRF: {
    statusCode: 403,
    message: () =>
      'the form is stale or came from another site (CSRF token missing or wrong): reload the page',
  },
} as const;

export type HttpAppErrorCode = keyof typeof HTTP_APP_ERRORS;

export class HttpAppError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: HttpAppErrorCode,
    detail = '',
    options?: { cause?: unknown },
  ) {
    const def = HTTP_APP_ERRORS[code];
    super(def.message(detail), options);
    this.name = 'HttpAppError';
    this.statusCode = def.statusCode;
  }
}
