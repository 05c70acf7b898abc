/** Path and query parameters of the httpbin routes, checked with errors that say what to send. */
import { HttpAppError } from '../errors.js';

/** A whole number from a path segment (httpbin's <int:n>). */
export function wholeNumber(value: string, name: string): number {
  if (!/^\d{1,9}$/.test(value))
    throw new HttpAppError('BAD_PARAMETER', `${name} must be a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** A redirect count: 1..max (httpbin has no cap and fails with a 500 on 0). */
export function hopCount(value: string, max: number): number {
  const n = wholeNumber(value, 'n');
  if (n < 1 || n > max) throw new HttpAppError('BAD_PARAMETER', `n must be 1 to ${max} redirects, not ${n}`);
  return n;
}

/** A size limit this server keeps where httpbin's is looser: refused clearly, never cut silently. */
export function withinLimit(n: number, max: number, what: string): number {
  if (n > max) throw new HttpAppError('BAD_PARAMETER', `${what} is limited to ${max} here (asked for ${n})`);
  return n;
}

/** One query parameter, case-insensitively as httpbin reads them (first value if repeated). */
export function queryParam(query: unknown, name: string): string | undefined {
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, string | string[]>)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}
