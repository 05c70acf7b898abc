/**
 * A strict application/x-www-form-urlencoded parser. Node's querystring and
 * URLSearchParams silently keep broken percent-escapes; a bank should refuse them (400).
 */
import { HttpAppError } from '../errors.js';
import { type Args, addValue } from './request-info.js';

export function parseForm(body: string): Args {
  const out: Args = Object.create(null);
  if (body === '') return out;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    addValue(out, decode(rawKey), decode(rawValue));
  }
  return out;
}

function decode(s: string): string {
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
