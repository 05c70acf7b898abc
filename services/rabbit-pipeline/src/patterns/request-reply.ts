/**
 * Request/reply (the tutorial's RPC, the book's REQ/REP) over the pipeline's own
 * `RpcClient` and `createRpcServer`: exclusive reply queue per client, reply-to and
 * correlation id, a timeout that is also the request's expiration. The run makes
 * `calls` calls, `concurrency` at a time, and prints the rate and the latencies.
 */
import { MalformedMessageError } from '../errors.js';
import { createRpcServer, RpcClient } from '../rpc.js';
import type { PatternSession } from './session.js';

export interface RpcRun {
  calls: number;
  concurrency: number;
  servers: number;
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers checked against the local computation. */
  correct: number;
  /** Requests each server answered. */
  perServer: number[];
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** The servers square the integer they are sent; the client checks every answer. */
export async function runRequestReply(
  s: PatternSession,
  o: { calls?: number; concurrency?: number; servers?: number; timeoutMs?: number } = {},
): Promise<RpcRun> {
  const queue = s.topology.queues[0]!.name;
  const calls = o.calls ?? 200;
  const concurrency = o.concurrency ?? 10;
  const perServer = Array.from({ length: o.servers ?? 2 }, () => 0);
  const servers = await Promise.all(
    perServer.map((_, i) =>
      createRpcServer(s.broker, {
        queue,
        prefetch: 1,
        logger: s.logger,
        handler(body) {
          const text = body.toString('utf8');
          if (!/^-?\d+$/.test(text))
            throw new MalformedMessageError(
              queue,
              `expected an integer, got ${JSON.stringify(text.slice(0, 40))}`,
            );
          perServer[i]!++;
          return Buffer.from(String(BigInt(text) ** 2n));
        },
        errorReply: (err) => Buffer.from(`error: ${err.message}`),
      }).start(),
    ),
  );
  const client = await new RpcClient(s.broker, {
    replyQueuePrefix: `${queue}.replies`,
    timeoutMs: o.timeoutMs ?? 5_000,
    logger: s.logger,
  }).start();
  const latencies: number[] = [];
  let correct = 0;
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, calls) }, async () => {
        while (next < calls) {
          const n = next++;
          const t0 = performance.now();
          const reply = await client.call(queue, Buffer.from(String(n)));
          latencies.push(performance.now() - t0);
          if (reply.toString() === String(n * n)) correct++;
        }
      }),
    );
  } finally {
    await client.close();
    await Promise.all(servers.map((sv) => sv.close()));
  }
  latencies.sort((a, b) => a - b);
  return {
    calls,
    concurrency,
    servers: perServer.length,
    elapsedMs: performance.now() - started,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    correct,
    perServer,
  };
}

export function formatRpcRun(r: RpcRun): string {
  const rate = (r.calls / (r.elapsedMs / 1_000)).toFixed(0);
  return (
    `${r.calls} calls, ${r.concurrency} at a time, to ${r.servers} servers: ${r.correct} correct answers, ` +
    `${rate} calls/s, latency p50 ${r.p50Ms.toFixed(2)} ms p99 ${r.p99Ms.toFixed(2)} ms\n` +
    `requests answered per server: ${r.perServer.join(', ')}\n`
  );
}
