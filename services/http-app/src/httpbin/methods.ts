/**
 * httpbin's HTTP-method routes: POST /post, PUT /put, PATCH /patch, DELETE /delete, each
 * echoing what the body carried as /anything does, without the method (httpbin leaves it out:
 * the route names it).
 *
 * Each is declared twice, told apart by a route constraint on the body's kind: multipart
 * requests reach the copy inside the multipart scope, every other body the copy outside it.
 * @fastify/multipart's three async hooks per request would otherwise more than halve the
 * requests per second of a plain JSON POST (bench/get-vs-bare.ts measured 0.42x of bare
 * node:http with them, 0.89x without).
 */
import type { FastifyInstance } from 'fastify';
import { anythingEcho } from '../echo/anything.js';

type Body = 'multipart' | 'other';

/** find-my-way derives this per request (a header test) only once a route uses it. */
export const BODY_KIND: Parameters<FastifyInstance['addConstraintStrategy']>[0] = {
  name: 'bodyKind',
  storage() {
    const handlers = new Map<Body, unknown>();
    return {
      get: (kind: Body) => (handlers.get(kind) ?? null) as never,
      set: (kind: Body, store: unknown) => void handlers.set(kind, store),
    };
  },
  deriveConstraint(req: { headers: Record<string, string | string[] | undefined> }) {
    return /^multipart\//i.test(String(req.headers['content-type'] ?? '')) ? 'multipart' : 'other';
  },
  mustMatchWhenDerived: false,
};

export function methodRoutes(scope: FastifyInstance, body: Body): void {
  if (!scope.hasConstraintStrategy(BODY_KIND.name)) scope.addConstraintStrategy(BODY_KIND);
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    scope.route({
      method,
      url: `/${method.toLowerCase()}`,
      ...(body === 'multipart' ? { constraints: { bodyKind: 'multipart' } } : {}),
      config: {
        summary: `a ${method}'s args, data, files, form, headers, json, origin and URL`,
        group: 'HTTP methods',
      },
      async handler(req) {
        const { method: _omitted, ...echo } = await anythingEcho(req);
        return echo;
      },
    });
  }
}
