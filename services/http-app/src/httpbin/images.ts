/**
 * /image and its four formats. The pictures are our own (scripts/make-images.py draws the
 * raster ones, the SVG is below), not httpbin's: the types, status codes and the Accept
 * negotiation are httpbin's, the bytes deliberately are not.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { JPEG_BASE64, PNG_BASE64, WEBP_BASE64 } from './image-data.js';
import { sendStatus } from './status.js';

const SVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <title>A request and its response</title>
  <rect width="64" height="64" fill="#fafaf5"/>
  <rect x="4" y="20" width="18" height="24" fill="#3465a4"/>
  <rect x="42" y="20" width="18" height="24" fill="#4e9a06"/>
  <path d="M23 28h18" stroke="#2e3436" stroke-width="2"/>
  <path d="M41 24v8l4-4z" fill="#2e3436"/>
  <path d="M23 36h18" stroke="#cc0000" stroke-width="2"/>
  <path d="M23 32v8l-4-4z" fill="#cc0000"/>
</svg>
`;

export const IMAGES = {
  png: { type: 'image/png', body: Buffer.from(PNG_BASE64, 'base64') },
  jpeg: { type: 'image/jpeg', body: Buffer.from(JPEG_BASE64, 'base64') },
  webp: { type: 'image/webp', body: Buffer.from(WEBP_BASE64, 'base64') },
  svg: { type: 'image/svg+xml', body: Buffer.from(SVG) },
} as const;

type Format = keyof typeof IMAGES;

/** httpbin's choice: the first of webp, svg, jpeg, png (or image/*) that Accept mentions. */
export function chooseImage(accept: string | undefined): Format | undefined {
  if (accept === undefined) return 'png';
  const a = accept.toLowerCase();
  if (a.includes('image/webp')) return 'webp';
  if (a.includes('image/svg+xml')) return 'svg';
  if (a.includes('image/jpeg')) return 'jpeg';
  if (a.includes('image/png') || a.includes('image/*')) return 'png';
  return undefined;
}

function sendImage(reply: FastifyReply, format: Format): FastifyReply {
  return reply.type(IMAGES[format].type).send(IMAGES[format].body);
}

export async function imageRoutes(app: FastifyInstance): Promise<void> {
  const group = 'Images';
  app.get(
    '/image',
    {
      config: {
        summary: 'an image of the type Accept asks for (webp, svg, jpeg, png; 406 otherwise)',
        group,
      },
    },
    (req, reply) => {
      const format = chooseImage(req.headers.accept);
      return format ? sendImage(reply, format) : sendStatus(reply, 406);
    },
  );
  for (const format of Object.keys(IMAGES) as Format[]) {
    app.get(
      `/image/${format}`,
      { config: { summary: `an ${IMAGES[format].type} image`, group } },
      (_req, reply) => sendImage(reply, format),
    );
  }
}
