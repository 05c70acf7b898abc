/**
 * The book's tally(): p/q → π, plus the counts and rates, served over HTTP so the
 * estimate can be watched converging (curl localhost:8006/estimate).
 */
import http from 'node:http';
import { writeHttpError } from '@fopnp/net';
import { MethodNotAllowedError, NoRouteError } from './errors.js';
import type { Decision } from './protocol.js';

export interface TallySnapshot {
  estimate: number | null;
  count: number;
  inside: number;
  /** |estimate − π| */
  error: number | null;
  /** Decisions per second over the last `rateWindowSeconds`. */
  ratePerSecond: number;
  rateWindowSeconds: number;
  /** Messages that failed to parse and went to the dead-letter queue. */
  malformed: number;
}

export class Tally {
  inside = 0;
  count = 0;
  malformed = 0;
  /** (time ms, count) samples, one a second at most, for the rate. */
  private samples: [number, number][] = [];

  constructor(
    private readonly rateWindowSeconds = 10,
    private readonly now = () => Date.now(),
  ) {}

  /** Goes on from counts saved by an earlier tally (its state file). */
  restore(saved: { count: number; inside: number; malformed: number }): void {
    this.count = saved.count;
    this.inside = saved.inside;
    this.malformed = saved.malformed;
    this.samples = [];
  }

  record(decision: Decision): void {
    this.count++;
    if (decision === 'Y') this.inside++;
    const t = this.now();
    const last = this.samples.at(-1);
    if (!last || t - last[0] >= 1_000) this.samples.push([t, this.count]);
    const horizon = t - this.rateWindowSeconds * 1_000;
    while (this.samples.length > 2 && this.samples[0]![0] < horizon) this.samples.shift();
  }

  /** The book's p / q with p counting 4 per point inside. */
  get estimate(): number | null {
    return this.count === 0 ? null : (4 * this.inside) / this.count;
  }

  snapshot(): TallySnapshot {
    const estimate = this.estimate;
    const first = this.samples[0];
    const t = this.now();
    const rate = first && t > first[0] ? ((this.count - first[1]) * 1_000) / (t - first[0]) : 0;
    return {
      estimate,
      count: this.count,
      inside: this.inside,
      error: estimate === null ? null : Math.abs(estimate - Math.PI),
      ratePerSecond: Math.round(rate * 10) / 10,
      rateWindowSeconds: this.rateWindowSeconds,
      malformed: this.malformed,
    };
  }
}

/** GET /estimate → JSON snapshot; GET / → one line of text. Not yet listening. */
export function createTallyServer(tally: Tally): http.Server {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      writeHttpError(res, new MethodNotAllowedError(req.method ?? '?'), { allow: 'GET, HEAD' });
      return;
    }
    const s = tally.snapshot();
    if (path === '/estimate') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(s)}\n`);
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${formatTallyLine(s)}\n`);
    } else {
      writeHttpError(res, new NoRouteError());
    }
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

export function formatTallyLine(s: TallySnapshot): string {
  if (s.estimate === null) return 'no decisions yet';
  return `pi ≈ ${s.estimate.toFixed(5)} after ${s.count} points (error ${s.error!.toFixed(5)}, ${s.ratePerSecond}/s)`;
}
