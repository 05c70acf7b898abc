/**
 * go-httpbin's /sse: server-sent events (the WHATWG EventSource format), `count` ping events
 * spread over `duration` seconds after `delay`, each `event: ping` with `{"id", "timestamp"}`
 * data. Not in httpbin; here because a learner can watch a long-lived HTTP response arrive
 * piece by piece with `curl -N`.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { HttpAppError } from '../errors.js';
import { queryParam, withinLimit } from './params.js';

export const MAX_SSE_EVENTS = 100;

function seconds(raw: string | undefined, name: string, dflt: number, max: number): number {
  if (raw === undefined) return dflt;
  // go-httpbin takes Go durations ("5s", "250ms"); plain numbers are seconds.
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(raw);
  if (!m) throw new HttpAppError('BAD_PARAMETER', `${name} must be seconds, as 2, 2s or 250ms`);
  const value = Number(m[1]) / (m[2] === 'ms' ? 1000 : 1);
  return withinLimit(value, max, `${name} (MAX_DELAY_SECONDS)`);
}

export async function sseRoutes(app: FastifyInstance, opts: { maxDelaySeconds: number }): Promise<void> {
  app.get(
    '/sse',
    {
      config: {
        summary: `?count=N&duration=S&delay=S: N server-sent ping events over S seconds (go-httpbin's; N at most ${MAX_SSE_EVENTS})`,
        group: 'Dynamic data',
      },
    },
    async (req, reply) => {
      const rawCount = queryParam(req.query, 'count') ?? '10';
      if (!/^\d{1,6}$/.test(rawCount) || Number(rawCount) < 1)
        throw new HttpAppError('BAD_PARAMETER', 'count must be a whole number >= 1');
      const count = withinLimit(Number(rawCount), MAX_SSE_EVENTS, 'count');
      const duration = seconds(
        queryParam(req.query, 'duration'),
        'duration',
        Math.min(5, opts.maxDelaySeconds),
        opts.maxDelaySeconds,
      );
      const delay = seconds(queryParam(req.query, 'delay'), 'delay', 0, opts.maxDelaySeconds);
      await sleep(delay * 1000);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
      });
      const start = Date.now();
      for (let id = 0; id < count && !res.destroyed; id++) {
        res.write(`event: ping\ndata: ${JSON.stringify({ id, timestamp: Date.now() })}\n\n`);
        const wait = start + ((id + 1) * duration * 1000) / count - Date.now();
        if (wait > 0 && id < count - 1) await sleep(wait);
      }
      res.end();
    },
  );
}
