/**
 * timeapp_werkz.py (ch. 10) as a fastify handler, as Werkzeug's Request.application makes a
 * function of a request return a response: the framework parsed the Host header
 * (`request.hostname`, the port split off) and the path, and renders what the handler returns.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ctime } from './ctime.js';

export function timeappFastify(request: FastifyRequest, reply: FastifyReply, pathInfo: string): string {
  if (request.method !== 'GET') {
    reply.code(501);
    return '501 Not Implemented';
  }
  if (request.hostname !== '127.0.0.1' || pathInfo.split('?')[0] !== '/') {
    reply.code(404);
    return '404 Not Found';
  }
  return ctime();
}
