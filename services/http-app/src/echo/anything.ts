/**
 * /anything: every method, echoing what the body carried as httpbin does: args, form,
 * files (multipart), json, data, headers.
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyRequest } from 'fastify';
import { HttpAppError } from '../errors.js';
import { factsOf } from './facts.js';
import { parseForm } from './form.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './json-depth.js';
import { type Args, addValue, getEcho } from './request-info.js';

export interface AnythingEcho {
  args: Args;
  data: string;
  files: Record<string, string>;
  form: Args;
  headers: Record<string, string>;
  json: unknown;
  method: string;
  origin: string;
  url: string;
}

export async function anythingEcho(request: FastifyRequest): Promise<AnythingEcho> {
  const base = getEcho(factsOf(request));
  const echo: AnythingEcho = { ...base, data: '', files: {}, form: {}, json: null, method: request.method };
  const type = String(request.headers['content-type'] ?? '').toLowerCase();
  // isMultipart exists only inside the multipart scope (see httpbin/methods.ts).
  if (typeof request.isMultipart === 'function' && request.isMultipart()) {
    for await (const part of request.parts()) {
      if (part.type === 'file') echo.files[part.fieldname] = asText(await part.toBuffer(), part.mimetype);
      else addValue(echo.form, part.fieldname, String(part.value));
    }
    return echo;
  }
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0) return echo;
  if (type.startsWith('application/x-www-form-urlencoded')) {
    echo.form = { ...parseForm(body.toString('utf8')) };
    return echo;
  }
  const utf8 = isUtf8(body);
  const declaredJson = type.includes('json');
  // JSON is UTF-8 (RFC 8259 §8.1); decoding would turn bad bytes into U+FFFD and echo a 200.
  if (declaredJson && !utf8) throw new HttpAppError('MALFORMED_JSON', 'the body is not valid UTF-8');
  echo.data = utf8 ? body.toString('utf8') : asText(body, type || 'application/octet-stream');
  if (!utf8) return echo;
  if (nestedDeeperThan(echo.data, MAX_JSON_DEPTH)) {
    if (declaredJson) throw new HttpAppError('JSON_TOO_DEEP', `more than ${MAX_JSON_DEPTH} levels`);
    return echo;
  }
  // httpbin tries every body as JSON, whatever its Content-Type; one that says it is JSON
  // and is not gets a 400 here (httpbin shows json: null), so the sender learns why.
  try {
    echo.json = JSON.parse(echo.data);
  } catch (err) {
    if (declaredJson) throw new HttpAppError('MALFORMED_JSON', (err as Error).message);
  }
  return echo;
}

/** UTF-8 text as is; anything else as a data: URL, as httpbin shows binary uploads. */
function asText(buf: Buffer, mimetype: string): string {
  // isUtf8 checks in place; decoding and encoding again to compare cost /post a tenth of its CPU.
  if (isUtf8(buf)) return buf.toString('utf8');
  return `data:${mimetype};base64,${buf.toString('base64')}`;
}
