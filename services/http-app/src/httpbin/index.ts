/** The httpbin routes beyond the book's echo endpoints, one file a group of httpbin's front page. */
import type { FastifyInstance } from 'fastify';
import { encodingRoutes } from './encoding.js';
import { type RedirectOptions, redirectRoutes } from './redirects.js';

export async function httpbinRoutes(app: FastifyInstance, opts: RedirectOptions): Promise<void> {
  await app.register(redirectRoutes, opts);
  await app.register(encodingRoutes);
}
