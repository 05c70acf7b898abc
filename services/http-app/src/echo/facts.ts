import type { FastifyRequest } from 'fastify';
import type { Args, RequestFacts } from './request-info.js';

/** A fastify request reduced to what the echo endpoints report. */
export function factsOf(request: FastifyRequest): RequestFacts {
  return {
    method: request.method,
    url: request.url,
    rawHeaders: request.raw.rawHeaders,
    ip: request.ip,
    protocol: request.protocol,
    host: request.host,
    args: request.query as Args,
  };
}
