/**
 * A strict application/x-www-form-urlencoded parser. Node's querystring and
 * URLSearchParams silently keep broken percent-escapes; a bank should refuse them (400).
 * Linear in the body's length, and at most MAX_FORM_FIELDS fields (413 beyond): a 78 KiB
 * body of 40,000 `a&a&…` once took 8.4 s of CPU (each repeat copied the list so far).
 */
import { HttpAppError } from '../errors.js';
import { type Args, addValue } from './request-info.js';

/** Most fields one form body (urlencoded or multipart) may carry. */
export const MAX_FORM_FIELDS = 1000;

export function parseForm(body: string): Args {
  const out: Args = Object.create(null);
  let fields = 0;
  // indexOf, not split('&'): a body of a million '&' is refused before a million strings exist.
  for (let start = 0; start < body.length; ) {
    let end = body.indexOf('&', start);
    if (end < 0) end = body.length;
    if (end > start) {
      if (++fields > MAX_FORM_FIELDS)
        throw new HttpAppError('TOO_MANY_FIELDS', `more than ${MAX_FORM_FIELDS} fields`);
      // Within the pair: body.indexOf('=', start) would rescan the rest of an `a&a&…` body.
      const pair = body.slice(start, end);
      const eq = pair.indexOf('=');
      addValue(out, decode(eq < 0 ? pair : pair.slice(0, eq)), decode(eq < 0 ? '' : pair.slice(eq + 1)));
    }
    start = end + 1;
  }
  return out;
}

function decode(s: string): string {
  // Most names and values have nothing to decode: skip the regex and decodeURIComponent then.
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new HttpAppError('MALFORMED_FORM', `bad percent-escape in ${JSON.stringify(s.slice(0, 40))}`);
  }
}

/** One value of a form field (the first, if it was repeated). */
export function field(form: Args, name: string): string {
  const v = form[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}
