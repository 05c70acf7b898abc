/**
 * httpbin's HTTP-method routes: POST /post, PUT /put, PATCH /patch, DELETE /delete, each
 * echoing what the body carried as /anything does, without the method (httpbin leaves it out:
 * the route names it). Registered inside the multipart scope, since /post takes uploads.
 */
import type { FastifyInstance } from 'fastify';
import { anythingEcho } from '../echo/anything.js';

export function methodRoutes(scope: FastifyInstance): void {
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    const url = `/${method.toLowerCase()}`;
    scope.route({
      method,
      url,
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
