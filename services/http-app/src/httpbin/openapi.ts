/**
 * GET /openapi.json: an OpenAPI 3.1 document of the echo routes, generated at request time
 * from the route catalog, that is from the declarations themselves: a path's parameters come
 * from its pattern, its summary and tag from the route's config, its operations from the
 * methods it was declared with. Nothing here names a route.
 */
import type { FastifyInstance } from 'fastify';
import type { CatalogRoute, RouteCatalog } from './catalog.js';

const OPENAPI_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE']);

/** `/links/:n/:offset` → `/links/{n}/{offset}`; a trailing `*` becomes a `{path}` parameter. */
export function openApiPath(url: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = url
    .split('/')
    .map((seg) => {
      if (seg === '*') {
        params.push('path');
        return '{path}';
      }
      if (seg.startsWith(':')) {
        params.push(seg.slice(1));
        return `{${seg.slice(1)}}`;
      }
      return seg;
    })
    .join('/');
  return { path, params };
}

function operation(route: CatalogRoute, params: string[], method: string) {
  return {
    summary: route.summary,
    tags: [route.group],
    // From the OpenAPI path, where /anything/{path} and /anything stay apart.
    operationId: `${method.toLowerCase()}${openApiPath(route.url).path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(params.length > 0
      ? {
          parameters: params.map((name) => ({
            name,
            in: 'path',
            required: true,
            schema: { type: 'string' },
            ...(name === 'path' ? { description: 'the rest of the path, slashes included' } : {}),
          })),
        }
      : {}),
    responses: { default: { description: "as httpbin answers (see the route's summary)" } },
  };
}

export function openApiDocument(catalog: RouteCatalog, version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of catalog.routes) {
    const { path, params } = openApiPath(route.url);
    const item = paths[path] ?? {};
    paths[path] = item;
    // OpenAPI describes eight methods; a route declared for all (fastify's .all also takes
    // WebDAV's PROPFIND, QUERY, …) is documented by those eight.
    for (const method of route.methods.filter((m) => OPENAPI_METHODS.has(m)))
      item[method.toLowerCase()] = operation(route, params, method);
  }
  const tags = [...new Set(catalog.routes.map((r) => r.group))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'http-app',
      version,
      description: "httpbin's routes (and the book's /environ and /framing), answering as httpbin 0.7.0 does",
    },
    tags,
    paths,
  };
}

export async function openApiRoutes(app: FastifyInstance, opts: { catalog: RouteCatalog; version: string }) {
  app.get('/openapi.json', (_req, reply) => reply.send(openApiDocument(opts.catalog, opts.version)));
}
