/** The HTTP limits' shape and defaults (no dependencies: manifests declare options from them). */

export interface HttpLimits {
  /** Connections the server holds at once; more are closed at once. Capped by `capToFdLimit`. @default 1024 */
  maxConnections: number;
  /** Time a client has to send a request's complete headers (from connecting, or from the previous response). @default 10000 */
  headersTimeoutMs: number;
  /** Time an idle keep-alive connection is kept between requests. @default 5000 */
  idleTimeoutMs: number;
  /** Time a client has to send a whole request, body included. @default 30000 */
  requestTimeoutMs: number;
}

/** The main HTTP port's limits, unless the service's options say otherwise. */
export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  maxConnections: 1024,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
};
