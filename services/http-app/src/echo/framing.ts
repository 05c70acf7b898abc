/**
 * The three ways HTTP/1.1 frames a body (book ch. 9), each on its own URL so a learner can
 * watch them with `curl -v` or `http-app get -v`:
 *   /framing/length   Content-Length: the body's size is known up front
 *   /framing/chunked  Transfer-Encoding: chunked: sizes before each piece, 0 at the end
 *   /framing/close    neither: the body ends when the server closes the connection
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { HttpAppError } from '../errors.js';
import { writeChunk } from './write-chunk.js';

export const FRAMINGS = ['length', 'chunked', 'close'] as const;
export type Framing = (typeof FRAMINGS)[number];

/** The same three lines whatever the framing, so only the framing differs. */
export const FRAMING_LINES = [
  'Beautiful is better than ugly.\n',
  'Explicit is better than implicit.\n',
  'Simple is better than complex.\n',
];

export async function framingRoutes(app: FastifyInstance): Promise<void> {
  const config = { summary: 'the same body framed by length, chunked or close', group: 'fopnp' };
  app.get<{ Params: { mode: string } }>('/framing/:mode', { config }, (request, reply) => {
    const mode = request.params.mode;
    if (!(FRAMINGS as readonly string[]).includes(mode)) {
      throw new HttpAppError('BAD_PARAMETER', `framing must be one of ${FRAMINGS.join(', ')}`);
    }
    if (mode === 'length') {
      return reply.type('text/plain; charset=utf-8').send(FRAMING_LINES.join(''));
    }
    if (mode === 'chunked') {
      // Several writes before end() with no Content-Length: Node frames each as a chunk
      // (one at a time: see writeChunk).
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'text/plain; charset=utf-8',
      });
      void (async () => {
        for (const line of FRAMING_LINES) await writeChunk(res, line);
        res.end();
      })().catch(() => res.destroy());
      return;
    }
    // Close-delimited: written by hand on the socket, because Node's http module never
    // sends an HTTP/1.1 body without a length or chunking unless the request was 1.0.
    reply.hijack();
    const socket = request.raw.socket;
    const head = [
      'HTTP/1.1 200 OK',
      'Content-Type: text/plain; charset=utf-8',
      'Connection: close',
      `Date: ${new Date().toUTCString()}`,
      '',
      '',
    ].join('\r\n');
    socket.end(head + FRAMING_LINES.join(''));
  });
}
