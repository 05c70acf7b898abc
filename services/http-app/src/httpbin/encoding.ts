/**
 * httpbin's compressed routes: /gzip, /deflate and /brotli always answer in the encoding they
 * are named after (httpbin does not negotiate them: asking for /brotli is the negotiation).
 * Node's zlib does all three; deflate is the zlib format (RFC 1950), as Python's zlib and
 * httpbin send it and as every browser reads it.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { factsOf } from '../echo/facts.js';
import { echoHeaders } from '../echo/request-info.js';

const CODINGS = {
  gzip: { flag: 'gzipped', header: 'gzip', encode: (b: Buffer) => gzipSync(b, { level: 4 }) },
  deflate: { flag: 'deflated', header: 'deflate', encode: (b: Buffer) => deflateSync(b) },
  brotli: { flag: 'brotli', header: 'br', encode: (b: Buffer) => brotliCompressSync(b) },
} as const;

function echo(req: FastifyRequest, flag: string) {
  const facts = factsOf(req);
  return { headers: echoHeaders(facts.rawHeaders), method: facts.method, origin: facts.ip, [flag]: true };
}

export async function encodingRoutes(app: FastifyInstance): Promise<void> {
  for (const [route, coding] of Object.entries(CODINGS)) {
    app.get(
      `/${route}`,
      {
        config: {
          summary: `the request, ${coding.header}-encoded (Content-Encoding: ${coding.header})`,
          group: 'Response formats',
        },
      },
      (req, reply) => {
        const body = Buffer.from(`${JSON.stringify(echo(req, coding.flag))}\n`);
        reply.type('application/json').header('content-encoding', coding.header).send(coding.encode(body));
      },
    );
  }
}
