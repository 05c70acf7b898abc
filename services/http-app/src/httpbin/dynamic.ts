/** httpbin's /stream-bytes/:n, /range/:n and /links/:n[/:offset]. */

import { randomBytes } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { seededBytes } from '../echo/prng.js';
import { writeChunk } from '../echo/write-chunk.js';
import { HttpAppError } from '../errors.js';
import { queryParam, wholeNumber, withinLimit } from './params.js';
import { redirectWithPage } from './redirects.js';

export const MAX_STREAM_BYTES = 100 * 1024;
export const MAX_RANGE_BYTES = 100 * 1024;
export const MAX_LINKS = 200;

export interface DynamicOptions {
  maxDelaySeconds: number;
}

function chunkSize(query: unknown): number {
  const raw = queryParam(query, 'chunk_size');
  if (raw === undefined) return 10 * 1024;
  return Math.max(1, wholeNumber(raw, 'chunk_size'));
}

/**
 * The first and last byte a Range header asks for, read as httpbin reads it (one range;
 * `bytes=a-b`, `bytes=a-`, `bytes=-n`); the whole resource without a usable header.
 */
export function requestedRange(header: string | undefined, size: number): [number, number] {
  let first: number | undefined;
  let last: number | undefined;
  const text = header?.trim() ?? '';
  const parts = text.startsWith('bytes') ? text.split('=') : [];
  if (parts.length === 2) {
    const [a = '', b = ''] = parts[1]!.split('-');
    if (/^\s*\d+\s*$/.test(a)) first = Number(a);
    if (/^\s*\d+\s*$/.test(b)) last = Number(b);
  }
  if (first === undefined && last === undefined) return [0, size - 1];
  if (first === undefined) return [Math.max(0, size - last!), size - 1];
  return [first, last ?? size - 1];
}

export async function dynamicRoutes(app: FastifyInstance, opts: DynamicOptions): Promise<void> {
  const group = 'Dynamic data';
  app.get<{ Params: { n: string } }>(
    '/stream-bytes/:n',
    {
      config: {
        summary: 'n random bytes in chunks of ?chunk_size (?seed=S repeatable; at most 100 KiB)',
        group,
      },
    },
    async (req, reply) => {
      const n = Math.min(wholeNumber(req.params.n, 'n'), MAX_STREAM_BYTES);
      const seed = queryParam(req.query, 'seed');
      const size = chunkSize(req.query);
      const bytes = seed !== undefined ? seededBytes(n, wholeNumber(seed, 'seed')) : randomBytes(n);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'application/octet-stream',
      });
      try {
        // One write, one chunk of chunk_size bytes, as httpbin sends them.
        for (let i = 0; i < n && !res.destroyed; i += size)
          await writeChunk(res, bytes.subarray(i, i + size));
        res.end();
      } catch {
        res.destroy(); // the client went away
      }
    },
  );

  app.get<{ Params: { n: string } }>(
    '/range/:n',
    {
      config: {
        summary: 'n bytes (a-z repeated) honouring Range: 206, 416 (?chunk_size, ?duration; at most 100 KiB)',
        group,
      },
    },
    async (req, reply) => {
      const n = wholeNumber(req.params.n, 'n');
      const common = { etag: `range${n}`, 'accept-ranges': 'bytes' };
      if (n <= 0 || n > MAX_RANGE_BYTES) {
        return reply
          .code(404)
          .headers(common)
          .type('text/plain; charset=utf-8')
          .send(`number of bytes must be in the range (0, ${MAX_RANGE_BYTES}]`);
      }
      const duration = Number(queryParam(req.query, 'duration') ?? 0);
      if (!Number.isFinite(duration) || duration < 0)
        throw new HttpAppError('BAD_PARAMETER', 'duration must be a number of seconds >= 0');
      withinLimit(duration, opts.maxDelaySeconds, 'duration (MAX_DELAY_SECONDS)');
      const size = chunkSize(req.query);
      const [first, last] = requestedRange(req.headers.range, n);
      if (first > last || first >= n || last >= n) {
        return reply
          .code(416)
          .headers({ ...common, 'content-range': `bytes */${n}` })
          .type('text/plain; charset=utf-8')
          .send('');
      }
      const body = Buffer.alloc(last - first + 1);
      for (let i = first; i <= last; i++) body[i - first] = 0x61 + (i % 26);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(first === 0 && last === n - 1 ? 200 : 206, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        ...common,
        'content-type': 'application/octet-stream',
        'content-length': String(body.length),
        'content-range': `bytes ${first}-${last}/${n}`,
      });
      const pausePerByte = (duration * 1000) / n;
      for (let i = 0; i < body.length && !res.destroyed; i += size) {
        const piece = body.subarray(i, i + size);
        if (pausePerByte > 0) await sleep(pausePerByte * piece.length);
        res.write(piece);
      }
      res.end();
    },
  );

  app.get<{ Params: { n: string; offset: string } }>(
    '/links/:n/:offset',
    { config: { summary: 'an HTML page of n links to the other pages (n at most 200)', group } },
    (req, reply) => {
      const n = Math.min(Math.max(1, wholeNumber(req.params.n, 'n')), MAX_LINKS);
      const offset = wholeNumber(req.params.offset, 'offset');
      const links = Array.from({ length: n }, (_, i) =>
        i === offset ? `${i} ` : `<a href='/links/${n}/${i}'>${i}</a> `,
      );
      reply
        .type('text/html; charset=utf-8')
        .send(`<html><head><title>Links</title></head><body>${links.join('')}</body></html>`);
    },
  );
  app.get<{ Params: { n: string } }>(
    '/links/:n',
    { config: { summary: 'redirects to /links/n/0', group } },
    (req, reply) => redirectWithPage(reply, `/links/${wholeNumber(req.params.n, 'n')}/0`),
  );
}
