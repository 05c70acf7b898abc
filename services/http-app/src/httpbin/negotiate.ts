/**
 * Accept-Encoding negotiation (RFC 9110 §12.5.3) for the fixed documents (/html, /xml, /json,
 * /encoding/utf8, /forms/post): brotli, gzip or deflate, whichever the client weighs highest
 * (ties in that order), identity when it accepts none or the body is too small to gain.
 * httpbin sends these uncompressed; /gzip, /deflate and /brotli always use their own coding.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

const ENCODERS = {
  br: (b: Buffer) => brotliCompressSync(b),
  gzip: (b: Buffer) => gzipSync(b),
  deflate: (b: Buffer) => deflateSync(b),
} as const;
export type Coding = keyof typeof ENCODERS;
const PREFERENCE: Coding[] = ['br', 'gzip', 'deflate'];

/** Bodies smaller than this are sent as they are: a coding's header would eat the gain. */
export const MIN_COMPRESS_BYTES = 256;

/** The coding to use for a request's Accept-Encoding, or undefined for identity. */
export function chooseCoding(acceptEncoding: string | undefined): Coding | undefined {
  // No header: any coding is acceptable, but a client that says nothing may not decode one.
  if (acceptEncoding === undefined) return undefined;
  const weights = new Map<string, number>();
  for (const item of acceptEncoding.split(',')) {
    const [name = '', ...params] = item.split(';').map((s) => s.trim().toLowerCase());
    if (name === '') continue;
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name === 'x-gzip' ? 'gzip' : name, Number.isFinite(weight) ? weight : 0);
  }
  let best: Coding | undefined;
  let bestWeight = 0;
  for (const coding of PREFERENCE) {
    const w = weights.get(coding) ?? weights.get('*') ?? 0;
    if (w > bestWeight) [best, bestWeight] = [coding, w];
  }
  return best;
}

export function sendNegotiated(
  req: FastifyRequest,
  reply: FastifyReply,
  type: string,
  text: string,
): FastifyReply {
  const body = Buffer.from(text);
  reply.type(type).header('vary', 'Accept-Encoding');
  const coding = body.length >= MIN_COMPRESS_BYTES ? chooseCoding(req.headers['accept-encoding']) : undefined;
  if (coding === undefined) return reply.send(body);
  return reply.header('content-encoding', coding).send(ENCODERS[coding](body));
}
