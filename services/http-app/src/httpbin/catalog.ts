/**
 * The echo routes as data, collected from the route declarations themselves (fastify's
 * onRoute hook): the front page, /openapi.json and the 405/OPTIONS answers all read this one
 * list, so none of them can forget a route.
 */
import type { FastifyInstance, HTTPMethods, RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** One line for the front page and the OpenAPI summary; routes without one stay unlisted. */
    summary?: string;
    /** The group of httpbin's front page (HTTP Methods, Auth, Status codes, …). */
    group?: string;
  }
}

export interface CatalogRoute {
  /** fastify's pattern: /status/:codes, /anything/* */
  url: string;
  methods: string[];
  summary: string;
  group: string;
}

export class RouteCatalog {
  readonly routes: CatalogRoute[] = [];
  private readonly matchers: { re: RegExp; route: CatalogRoute }[] = [];

  /** Collects every route declared with a summary in `app` and its children from now on. */
  collectFrom(app: FastifyInstance): void {
    app.addHook('onRoute', (opts: RouteOptions) => {
      const summary = opts.config?.summary;
      if (summary === undefined) return;
      const methods = (Array.isArray(opts.method) ? opts.method : [opts.method]).filter(
        (m) => m !== 'HEAD',
      ) as string[];
      const existing = this.routes.find((r) => r.url === opts.url);
      if (existing) {
        for (const m of methods) if (!existing.methods.includes(m)) existing.methods.push(m);
        return;
      }
      const route = { url: opts.url, methods, summary, group: opts.config?.group ?? 'Other' };
      this.routes.push(route);
      this.matchers.push({ re: patternToRegExp(opts.url), route });
    });
  }

  /** The methods a concrete path answers to (GET implies HEAD), or undefined if no route matches. */
  allowedMethods(path: string): string[] | undefined {
    const found = new Set<string>();
    for (const { re, route } of this.matchers) {
      if (re.test(path)) for (const m of route.methods) found.add(m);
    }
    if (found.size === 0) return undefined;
    if (found.has('GET')) found.add('HEAD');
    found.add('OPTIONS');
    return [...found].sort();
  }
}

/** `/links/:n/:offset` → ^/links/[^/]+/[^/]+$ ; a trailing `*` matches the rest. */
function patternToRegExp(url: string): RegExp {
  const body = url
    .split('/')
    .map((seg) =>
      seg === '*' ? '.*' : seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${body}$`);
}

/** Every method fastify routes, for routes that answer any of them. */
export const ALL_METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'TRACE'];
