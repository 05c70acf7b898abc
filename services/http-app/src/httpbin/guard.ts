/**
 * The echo routes share an origin with the bank, which httpbin never had to think about.
 * Two httpbin routes would hand an attacker that origin:
 *  - /base64/:value and /response-headers answer with content the URL chooses (as text/html,
 *    or with a Content-Type the URL chooses): a link could run script on this origin and read
 *    /cookies, where the bank's HttpOnly session cookie is echoed. They answer as httpbin does,
 *    plus `Content-Security-Policy: sandbox` (an opaque origin, no script) and nosniff.
 *  - /cookies/set, /cookies/delete and /response-headers' Set-Cookie could plant or clear the
 *    bank's cookies (log a victim into the attacker's account): names starting with `bank_`
 *    are refused.
 */
import type { FastifyReply } from 'fastify';
import { HttpAppError } from '../errors.js';

export const BANK_COOKIE_PREFIX = 'bank_';

export function refuseBankCookie(name: string): void {
  if (name.toLowerCase().startsWith(BANK_COOKIE_PREFIX))
    throw new HttpAppError(
      'BAD_PARAMETER',
      `cookies named ${BANK_COOKIE_PREFIX}* belong to the bank on this origin; the echo routes do not set or clear them`,
    );
}

/** The name of the cookie a Set-Cookie value sets. */
export function setCookieName(value: string): string {
  return value.split(';')[0]!.split('=')[0]!.trim();
}

export function sandboxed(reply: FastifyReply): FastifyReply {
  return reply.header('content-security-policy', 'sandbox').header('x-content-type-options', 'nosniff');
}
