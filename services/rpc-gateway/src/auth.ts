/**
 * Optional bearer-token authentication with per-method access control (the book: "some
 * RPC systems support authentication and access control"; XML-RPC and JSON-RPC leave it
 * to the transport, so it lives in HTTP's Authorization header, RFC 6750).
 *
 * Tokens are configured as `TOKEN=PATTERN|PATTERN`, where a pattern is a method name or a
 * prefix ending in `*` (`cache.*`, `*`). With no tokens configured, every method is open.
 * With tokens, methods matching `publicMethods` stay open to anonymous callers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidConfigError } from '@fopnp/net';
import { AccessDeniedError } from './errors.js';

export interface Principal {
  /** For logs and messages: 'anonymous' or 'token #N' (never the token itself). */
  name: string;
  /** Throws AccessDeniedError if this caller may not call `method`. */
  authorize(method: string): void;
}

/** Answer 401 with this when a token is sent but unknown (RFC 6750 §3). */
export class InvalidTokenError extends Error {
  constructor() {
    super('invalid bearer token');
  }
}

function matcher(patterns: readonly string[]): (method: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.endsWith('*')));
  const prefixes = patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  return (m) => exact.has(m) || prefixes.some((p) => m.startsWith(p));
}

const digest = (s: string) => createHash('sha256').update(s).digest();

interface TokenEntry {
  name: string;
  hash: Buffer;
  allows: (method: string) => boolean;
}

export class AccessControl {
  private readonly tokens: TokenEntry[];
  private readonly isPublic: (method: string) => boolean;

  /**
   * @param tokens entries `TOKEN=PATTERN|PATTERN` (e.g. `s3cret=*`, `r34d=cache.get|zen.ask`)
   * @param publicMethods patterns anonymous callers may use when tokens exist
   */
  constructor(tokens: readonly string[], publicMethods: readonly string[]) {
    this.tokens = tokens.map((entry, i) => {
      const eq = entry.lastIndexOf('=');
      const token = eq > 0 ? entry.slice(0, eq) : '';
      const patterns =
        eq > 0
          ? entry
              .slice(eq + 1)
              .split('|')
              .filter(Boolean)
          : [];
      if (token.length < 8 || patterns.length === 0) {
        throw new InvalidConfigError(
          'AUTH_TOKENS',
          `entry ${i + 1} must be TOKEN=METHOD|PREFIX* with a token of at least 8 characters`,
        );
      }
      return { name: `token #${i + 1}`, hash: digest(token), allows: matcher(patterns) };
    });
    this.isPublic = this.tokens.length === 0 ? () => true : matcher(publicMethods);
  }

  get enabled(): boolean {
    return this.tokens.length > 0;
  }

  /** The caller for a request's Authorization header (throws InvalidTokenError for a bad one). */
  principal(authorization: string | undefined): Principal {
    if (authorization === undefined || authorization === '') {
      return {
        name: 'anonymous',
        authorize: (method) => {
          if (!this.isPublic(method)) throw new AccessDeniedError(method, 'an anonymous caller');
        },
      };
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m || !this.enabled) throw new InvalidTokenError();
    const sent = digest(m[1]!);
    // Compare against every entry, in constant time each, so timing says nothing.
    let found: TokenEntry | undefined;
    for (const t of this.tokens) if (timingSafeEqual(t.hash, sent) && !found) found = t;
    if (!found) throw new InvalidTokenError();
    const entry = found;
    return {
      name: entry.name,
      authorize: (method) => {
        if (!entry.allows(method) && !this.isPublic(method)) throw new AccessDeniedError(method, entry.name);
      },
    };
  }
}
