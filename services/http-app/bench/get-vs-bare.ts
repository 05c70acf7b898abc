/**
 * Benchmark (run under `flock /tmp/fopnp-bench.lock`):
 *  1. our fastify GET /get against a bare node:http handler computing the same JSON with the
 *     same function (getEcho), each server in its own process, autocannon (as a library) in
 *     this one: req/s, p99 latency, ratio (target >= 0.9x);
 *  2. the chapter 9 client: 1,000 sequential GETs over the keep-alive pool vs a new
 *     connection each time: req/s and ratio.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { openBank } from '../src/bank/open.js';
import { HttpClient } from '../src/client.js';
import { getEcho } from '../src/echo/request-info.js';
import { createHttpAppServer } from '../src/server.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 1000);

async function serve(kind: string): Promise<void> {
  let port: number;
  if (kind === 'bare') {
    const server = http.createServer((req, res) => {
      const body = JSON.stringify(
        getEcho({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          rawHeaders: req.rawHeaders,
          ip: req.socket.remoteAddress ?? '',
          protocol: 'http',
          host: req.headers.host ?? '',
        }),
      );
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  } else {
    const app = await createHttpAppServer({ store: await openBank({ sqlitePath: ':memory:' }) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  }
  process.send!({ port });
}

function startServer(kind: 'bare' | 'ours'): Promise<{ port: number; stop(): void }> {
  const child = fork(process.argv[1]!, ['--serve', kind], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (m: { port: number }) => resolve({ port: m.port, stop: () => child.kill() }));
  });
}

async function load(port: number, seconds: number) {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}/get?bench=1`,
    connections: CONNECTIONS,
    duration: seconds,
  });
  if (r.non2xx || r.errors) throw new Error(`benchmark saw ${r.non2xx} non-2xx and ${r.errors} errors`);
  return { rps: r.requests.average, p99: r.latency.p99 };
}

async function sequential(port: number, keepAlive: boolean): Promise<{ rps: number; connections: number }> {
  const client = new HttpClient({ keepAlive });
  const t0 = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) {
    const res = await client.request(`http://127.0.0.1:${port}/get`);
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  client.close();
  return { rps: SEQUENTIAL / seconds, connections: client.connectionsOpened };
}

async function main(): Promise<void> {
  const bare = await startServer('bare');
  const ours = await startServer('ours');
  try {
    console.log(
      `autocannon: ${CONNECTIONS} connections, ${SECONDS} s per round, GET /get?bench=1, ${ROUNDS} rounds each (alternating)`,
    );
    await load(bare.port, 2); // warm-up: JIT both sides
    await load(ours.port, 2);
    const rounds = { bare: [] as { rps: number; p99: number }[], ours: [] as { rps: number; p99: number }[] };
    for (let i = 0; i < ROUNDS; i++) {
      rounds.bare.push(await load(bare.port, SECONDS));
      rounds.ours.push(await load(ours.port, SECONDS));
    }
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const b = { rps: avg(rounds.bare.map((r) => r.rps)), p99: avg(rounds.bare.map((r) => r.p99)) };
    const o = { rps: avg(rounds.ours.map((r) => r.rps)), p99: avg(rounds.ours.map((r) => r.p99)) };
    console.log(`bare node:http  ${b.rps.toFixed(0).padStart(7)} req/s  p99 ${b.p99.toFixed(1)} ms`);
    console.log(`http-app /get   ${o.rps.toFixed(0).padStart(7)} req/s  p99 ${o.p99.toFixed(1)} ms`);
    // Median of the per-round ratios: on a shared machine one noisy round should not decide.
    const ratios = rounds.ours.map((r, k) => r.rps / rounds.bare[k]!.rps).sort((x, y) => x - y);
    const ratio =
      (ratios[Math.floor((ratios.length - 1) / 2)]! + ratios[Math.ceil((ratios.length - 1) / 2)]!) / 2;
    console.log(`per-round ratios: ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
    console.log(
      `ratio http-app / bare = ${ratio.toFixed(2)}x (target >= 0.9x: ${ratio >= 0.9 ? 'met' : 'NOT met'})`,
    );

    console.log(`\nclient: ${SEQUENTIAL} sequential GET /get against http-app`);
    const unpooled = await sequential(ours.port, false);
    const pooled = await sequential(ours.port, true);
    console.log(
      `no keep-alive   ${unpooled.rps.toFixed(0).padStart(7)} req/s  ${unpooled.connections} connections`,
    );
    console.log(
      `keep-alive pool ${pooled.rps.toFixed(0).padStart(7)} req/s  ${pooled.connections} connection(s)`,
    );
    console.log(`ratio pooled / unpooled = ${(pooled.rps / unpooled.rps).toFixed(2)}x`);
  } finally {
    bare.stop();
    ours.stop();
  }
}

const i = process.argv.indexOf('--serve');
if (i >= 0) await serve(process.argv[i + 1]!);
else await main();
