/**
 * Chapter 10's one tiny app three ways, each mounted below /timeapp/<kind>/ as a WSGI app is
 * mounted (it sees only the path below its mount point, WSGI's PATH_INFO):
 *   /timeapp/raw/      timeapp_raw.py   → Node's bare IncomingMessage / ServerResponse
 *   /timeapp/webob/    timeapp_webob.py → the WHATWG Request / Response objects
 *   /timeapp/werkz/    timeapp_werkz.py → a fastify handler
 * The app answers the time for GET / on host 127.0.0.1, 404 for another host or path, 501 for
 * another method — the book's own _test.py checks each (test/timeapp.test.ts).
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import { HttpAppError } from '../errors.js';
import type { RouteCatalog } from '../httpbin/catalog.js';
import { timeappFetch } from './fetch.js';
import { timeappFastify } from './framework.js';
import { timeappRaw } from './raw.js';

/** Every method the Fetch standard lets a Request carry (TRACE is forbidden there). */
const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/** The path below the mount point, query included ('' when the mount point itself is asked). */
function pathInfo(request: FastifyRequest, mount: string): string {
  return request.url.slice(mount.length);
}

export async function timeappRoutes(app: FastifyInstance, opts: { catalog: RouteCatalog }): Promise<void> {
  opts.catalog.collectFrom(app);
  const route = (kind: string, summary: string) => ({
    method: METHODS,
    url: `/timeapp/${kind}/*`,
    exposeHeadRoute: false,
    config: { summary, group: 'fopnp' },
  });

  app.route({
    ...route('raw', "the book's timeapp_raw.py on bare node:http objects: the time for GET / on 127.0.0.1"),
    handler(request, reply) {
      reply.hijack();
      timeappRaw(request.raw, reply.raw, pathInfo(request, '/timeapp/raw'));
    },
  });

  app.route({
    ...route('webob', "the book's timeapp_webob.py with the Fetch standard's Request and Response"),
    async handler(request, reply) {
      let asked: Request;
      try {
        asked = new Request(
          `http://${request.headers.host ?? '127.0.0.1'}${pathInfo(request, '/timeapp/webob')}`,
          {
            method: request.method,
          },
        );
      } catch {
        throw new HttpAppError('BAD_PARAMETER', `Host ${JSON.stringify(request.headers.host)} makes no URL`);
      }
      const answer = timeappFetch(asked);
      const headers: OutgoingHttpHeaders = Object.fromEntries(answer.headers);
      return reply
        .code(answer.status)
        .headers(headers)
        .send(await answer.text());
    },
  });

  app.route({
    ...route('werkz', "the book's timeapp_werkz.py as a fastify handler"),
    handler(request, reply) {
      return timeappFastify(request, reply, pathInfo(request, '/timeapp/werkz'));
    },
  });
}
