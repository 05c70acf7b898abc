/**
 * GET / : every echo route, one line each, grouped as httpbin's front page groups them, read
 * from the route catalog at request time (so a new route appears by being declared).
 */
import type { FastifyInstance } from 'fastify';
import type { CatalogRoute, RouteCatalog } from './catalog.js';
import { openApiRoutes } from './openapi.js';

export function frontPage(catalog: RouteCatalog): string {
  const groups = new Map<string, CatalogRoute[]>();
  for (const r of catalog.routes) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  const label = (r: CatalogRoute) =>
    `${r.methods.length === 1 && r.methods[0] === 'GET' ? '' : `${r.methods.length > 4 ? 'ANY' : r.methods.join(',')} `}${r.url}`;
  const width = Math.max(...catalog.routes.map((r) => label(r).length));
  const sections = [...groups].map(
    ([group, routes]) =>
      `${group}\n${routes.map((r) => `  ${label(r).padEnd(width)}  ${r.summary}`).join('\n')}`,
  );
  return `http-app: see what HTTP really carries (fopnp ch. 9-11), answering as httpbin does\n\n${sections.join('\n\n')}\n\nThe bank of app_improved.py: /bank/\nThese routes as OpenAPI 3.1: /openapi.json\n`;
}

export async function frontPageRoutes(
  app: FastifyInstance,
  opts: { catalog: RouteCatalog; version: string },
): Promise<void> {
  app.get('/', (_req, reply) => reply.type('text/plain; charset=utf-8').send(frontPage(opts.catalog)));
  await app.register(openApiRoutes, { catalog: opts.catalog, version: opts.version });
}
