/**
 * Benchmark (run under `flock /tmp/fopnp-bench.lock`):
 *  1. our fastify GET /get against a bare node:http handler computing the same JSON with the
 *     same function (getEcho), each server in its own process, autocannon (as a library) in
 *     this one: req/s, p99 latency, ratio (target >= 0.9x);
 *  2. the same for POST /post with a 1 KiB JSON body, the bare handler reading and parsing
 *     the body itself and answering httpbin's fields (args, data, files, form, headers, json,
 *     origin, url);
 *  3. the chapter 9 client: 1,000 sequential GETs over the keep-alive pool vs a new
 *     connection each time: req/s and ratio.
 */
import { fork } from 'node:child_process';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { openBank } from '../src/bank/open.js';
import { HttpClient } from '../src/client.js';
import { createHttpAppServer } from '../src/server.js';
import { POST_BODY, startBareServer } from './bare.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 1000);

async function serve(kind: string): Promise<void> {
  let port: number;
  let server: http.Server;
  if (kind === 'bare') {
    server = await startBareServer();
    port = (server.address() as AddressInfo).port;
  } else {
    const app = await createHttpAppServer({ store: await openBank({ sqlitePath: ':memory:' }) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
    server = app.server;
  }
  // CPU time per request, read from inside the server process: unlike req/s it hardly moves
  // when other work shares the machine's two cores.
  let served = 0;
  server.on('request', () => served++);
  process.on('message', () => {
    const cpu = process.cpuUsage();
    process.send!({ served, cpuMicros: cpu.user + cpu.system });
  });
  process.send!({ port });
}

interface CpuSample {
  served: number;
  cpuMicros: number;
}

interface BenchServer {
  port: number;
  sample(): Promise<CpuSample>;
  stop(): void;
}

function startServer(kind: 'bare' | 'ours'): Promise<BenchServer> {
  const child = fork(process.argv[1]!, ['--serve', kind], { stdio: 'inherit' });
  const sample = () =>
    new Promise<CpuSample>((resolve) => {
      child.once('message', (m: CpuSample) => resolve(m));
      child.send('sample');
    });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (m: { port: number }) =>
      resolve({ port: m.port, sample, stop: () => child.kill() }),
    );
  });
}

type Workload = 'get' | 'post';

async function load(server: BenchServer, seconds: number, workload: Workload = 'get') {
  const before = await server.sample();
  const r = await autocannon({
    url: `http://127.0.0.1:${server.port}${workload === 'get' ? '/get?bench=1' : '/post?bench=1'}`,
    connections: CONNECTIONS,
    duration: seconds,
    ...(workload === 'post'
      ? { method: 'POST' as const, body: POST_BODY, headers: { 'content-type': 'application/json' } }
      : {}),
  });
  if (r.non2xx || r.errors) throw new Error(`benchmark saw ${r.non2xx} non-2xx and ${r.errors} errors`);
  const after = await server.sample();
  const cpuPerRequest = (after.cpuMicros - before.cpuMicros) / (after.served - before.served);
  return { rps: r.requests.average, p99: r.latency.p99, cpuPerRequest };
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

type Round = Awaited<ReturnType<typeof load>>;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
}

/** Alternating rounds of one workload against both servers, and the medians of their ratios. */
async function compare(bare: BenchServer, ours: BenchServer, workload: Workload): Promise<void> {
  const what = workload === 'get' ? 'GET /get?bench=1' : 'POST /post?bench=1, 1 KiB JSON body';
  console.log(
    `autocannon: ${CONNECTIONS} connections, ${SECONDS} s per round, ${what}, ${ROUNDS} rounds each (alternating)`,
  );
  await load(bare, 2, workload); // warm-up: JIT both sides
  await load(ours, 2, workload);
  const rounds = { bare: [] as Round[], ours: [] as Round[] };
  for (let k = 0; k < ROUNDS; k++) {
    rounds.bare.push(await load(bare, SECONDS, workload));
    rounds.ours.push(await load(ours, SECONDS, workload));
  }
  for (const [name, rs] of [
    ['bare node:http', rounds.bare],
    [workload === 'get' ? 'http-app /get ' : 'http-app /post', rounds.ours],
  ] as const) {
    console.log(
      `${name}  ${mean(rs.map((r) => r.rps))
        .toFixed(0)
        .padStart(6)} req/s  p99 ${mean(rs.map((r) => r.p99)).toFixed(1)} ms  ` +
        `${median(rs.map((r) => r.cpuPerRequest)).toFixed(1)} µs CPU/request`,
    );
  }
  // Medians of per-round ratios: on a shared machine one noisy round should not decide.
  const rpsRatios = rounds.ours.map((r, k) => r.rps / rounds.bare[k]!.rps);
  const cpuRatios = rounds.ours.map((r, k) => rounds.bare[k]!.cpuPerRequest / r.cpuPerRequest);
  console.log(`per-round req/s ratios: ${rpsRatios.map((r) => r.toFixed(2)).join(' ')}`);
  console.log(`per-round CPU ratios:   ${cpuRatios.map((r) => r.toFixed(2)).join(' ')}`);
  const rpsRatio = median(rpsRatios);
  const cpuRatio = median(cpuRatios);
  // The issue sets the 0.9x target for /get; /post is measured against the same line.
  const verdict = (x: number) => (x >= 0.9 ? 'met' : 'NOT met');
  console.log(
    `ratio http-app / bare, req/s (median):             ${rpsRatio.toFixed(2)}x (target >= 0.9x: ${verdict(rpsRatio)})`,
  );
  console.log(
    `ratio http-app / bare, requests per CPU-second:    ${cpuRatio.toFixed(2)}x (target >= 0.9x: ${verdict(cpuRatio)})`,
  );
}

async function main(): Promise<void> {
  const bare = await startServer('bare');
  const ours = await startServer('ours');
  try {
    await compare(bare, ours, 'get');
    console.log('');
    await compare(bare, ours, 'post');

    console.log(`\nclient: ${SEQUENTIAL} sequential GET /get against http-app`);
    const unpooled = await sequential(ours.port, false);
    const pooled = await sequential(ours.port, true);
    console.log(
      `no keep-alive   ${unpooled.rps.toFixed(0).padStart(6)} req/s  ${unpooled.connections} connections`,
    );
    console.log(
      `keep-alive pool ${pooled.rps.toFixed(0).padStart(6)} req/s  ${pooled.connections} connection(s)`,
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
