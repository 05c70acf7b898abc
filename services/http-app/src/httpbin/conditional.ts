/** httpbin's /etag/:etag (If-None-Match, If-Match) and /response-headers. */
import type { FastifyInstance } from 'fastify';
import { factsOf } from '../echo/facts.js';
import { getEcho } from '../echo/request-info.js';
import { HttpAppError } from '../errors.js';
import { refuseBankCookie, sandboxed, setCookieName } from './guard.js';
import { sendStatus } from './status.js';

/** The entity tags of If-None-Match / If-Match, unquoted and without W/, as httpbin reads them. */
export function entityTags(header: string | undefined): string[] {
  if (!header) return [];
  return header.split(',').map((part) => /^\s*(?:W\/)?"?([^"]*)"?\s*$/.exec(part)?.[1] ?? part.trim());
}

export async function conditionalRoutes(app: FastifyInstance): Promise<void> {
  const group = 'Response inspection';
  app.get<{ Params: { etag: string } }>(
    '/etag/:etag',
    {
      config: {
        summary: 'as /get with that ETag: If-None-Match matching gets 304, If-Match not matching 412',
        group,
      },
    },
    (req, reply) => {
      const { etag } = req.params;
      const noneMatch = entityTags(req.headers['if-none-match']);
      const match = entityTags(req.headers['if-match']);
      if (noneMatch.length > 0) {
        if (noneMatch.includes(etag) || noneMatch.includes('*')) {
          reply.header('etag', etag);
          return sendStatus(reply, 304);
        }
      } else if (match.length > 0 && !match.includes(etag) && !match.includes('*')) {
        return sendStatus(reply, 412);
      }
      return reply.header('etag', etag).send(getEcho(factsOf(req)));
    },
  );

  app.route({
    method: ['GET', 'POST'],
    url: '/response-headers',
    config: { summary: '?Name=value…: those response headers, and a JSON body listing them', group },
    handler(req, reply) {
      const listed: Record<string, string | string[]> = { 'Content-Type': 'application/json' };
      for (const [name, v] of Object.entries(req.query as Record<string, string | string[]>)) {
        const values = Array.isArray(v) ? v : [v];
        checkHeader(name, values);
        reply.header(name, values.length === 1 ? values[0] : values);
        listed[name] = values.length === 1 ? values[0]! : values;
      }
      // httpbin's body lists the answer's own headers, Content-Length included, so the length
      // is found by trying until the body it describes has that length. Compact and sorted,
      // as Flask writes JSON, so the numbers agree with httpbin's.
      let body = '';
      for (let length = 0, i = 0; i < 10; i++) {
        const all: Record<string, string | string[]> = { ...listed, 'Content-Length': String(length) };
        const sorted = Object.fromEntries(
          Object.keys(all)
            .sort()
            .map((k) => [k, all[k]!]),
        );
        body = `${JSON.stringify(sorted)}\n`;
        if (Buffer.byteLength(body) === length) break;
        length = Buffer.byteLength(body);
      }
      return sandboxed(reply).type('application/json').send(body);
    },
  });
}

/** A header the client asks for must be writable, and must not break the answer's framing. */
function checkHeader(name: string, values: string[]): void {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
    throw new HttpAppError('BAD_PARAMETER', `${JSON.stringify(name)} is not a header name`);
  if (/^(content-security-policy|x-content-type-options)$/i.test(name))
    throw new HttpAppError(
      'BAD_PARAMETER',
      `${name} keeps this answer from running script; it cannot be set`,
    );
  if (/^set-cookie$/i.test(name)) for (const v of values) refuseBankCookie(setCookieName(v));
  if (/^(content-length|transfer-encoding|connection)$/i.test(name))
    throw new HttpAppError('BAD_PARAMETER', `${name} frames the answer; it cannot be set from the query`);
  for (const v of values)
    if (/[\r\n\0]/.test(v))
      throw new HttpAppError('BAD_PARAMETER', `the value of ${name} has a line break or NUL`);
}
