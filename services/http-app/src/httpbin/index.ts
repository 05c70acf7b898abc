/** The httpbin routes beyond the book's echo endpoints, one file a group of httpbin's front page. */
import type { FastifyInstance } from 'fastify';
import { authRoutes } from './auth.js';
import { conditionalRoutes } from './conditional.js';
import { type DigestOptions, digestRoutes } from './digest.js';
import { dynamicRoutes } from './dynamic.js';
import { encodingRoutes } from './encoding.js';
import { formatRoutes } from './formats.js';
import { formRoutes } from './forms.js';
import { imageRoutes } from './images.js';
import { type RedirectOptions, redirectRoutes } from './redirects.js';
import { sseRoutes } from './sse.js';

export interface HttpbinOptions extends RedirectOptions, DigestOptions {
  maxDelaySeconds: number;
}

export async function httpbinRoutes(app: FastifyInstance, opts: HttpbinOptions): Promise<void> {
  await app.register(redirectRoutes, opts);
  await app.register(encodingRoutes);
  await app.register(formatRoutes);
  await app.register(imageRoutes);
  await app.register(authRoutes);
  await app.register(digestRoutes, opts);
  await app.register(conditionalRoutes);
  await app.register(dynamicRoutes, opts);
  await app.register(formRoutes);
  await app.register(sseRoutes, opts);
}
