/**
 * Benchmark of the cache's hit path, each figure beside a baseline from the same run:
 *   1. redis-benchmark -t get -c 50 -n 200000 (the C client, one request per connection in flight)
 *   2. our Cache.get and Cache.getOrLoad on a hit, 50 concurrent callers, one ioredis
 *      connection with enableAutoPipelining: ratio to 1
 *   3. GET /cache/:key through `redis-cache serve`, 50 connections of autocannon: ops/s and p99
 * Redis: a private redis-server started here on a free port (persistence off), or REDIS_URL
 * if set (then only the "bench" namespace and redis-benchmark's own key are touched).
 * Run under `flock /tmp/fopnp-bench.lock` on a shared machine.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { redisServerArgs } from '@fopnp/net';
import { Cache } from '../src/cache.js';
import { SingleTopology } from '../src/topology/single.js';

const run = promisify(execFile);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200_000);
const CLIENTS = 50;
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} did not open`);
}

async function startRedis(): Promise<{ url: string; port: number; stop(): void }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-cache-bench-'));
  const child = spawn('redis-server', redisServerArgs(port, { dir }), {
    stdio: 'ignore',
  });
  children.push(child);
  await waitForPort(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop() {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function redisBenchmark(host: string, port: number): Promise<number> {
  // Its GET key is literally "key:__rand_int__" without -r; give it a 3-byte value so it measures hits too.
  await run('redis-cli', ['-h', host, '-p', String(port), 'SET', 'key:__rand_int__', 'xxx']);
  const { stdout } = await run(
    'redis-benchmark',
    ['-h', host, '-p', String(port), '-t', 'get', '-c', String(CLIENTS), '-n', String(REQUESTS), '-q'],
    {
      maxBuffer: 1 << 20,
    },
  );
  const m = stdout.match(/GET: ([\d.]+) requests per second/);
  if (!m) throw new Error(`unexpected redis-benchmark output: ${stdout}`);
  return Number(m[1]);
}

/** `op(caller, n)` run REQUESTS times by CLIENTS concurrent callers; returns ops/s. */
async function ours(op: (caller: number, n: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5_000; i++) await op(0, i); // warm up the JIT and the connection
  let remaining = REQUESTS;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, caller) => {
      for (let n = 0; remaining-- > 0; n++) await op(caller, n);
    }),
  );
  const used = process.cpuUsage(cpu);
  cpuPerOp.push((used.user + used.system) / REQUESTS);
  return REQUESTS / ((performance.now() - started) / 1000);
}
/** Client CPU (µs) per call of each ours() run: steadier than ops/s when others load the machine. */
const cpuPerOp: number[] = [];

interface AutocannonResult {
  requests: { average: number };
  latency: { p99: number; average: number };
  non2xx: number;
  errors: number;
}

async function httpBench(redisUrl: string): Promise<AutocannonResult> {
  const [port, healthPort] = [await freePort(), await freePort()];
  const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
  const serve = spawn(process.execPath, [cli, 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      HEALTH_PORT: String(healthPort),
      HEALTH_HOST: '127.0.0.1',
      REDIS_URL: redisUrl,
      CACHE_NAMESPACE: 'bench-http',
      LOG_LEVEL: 'warn',
      CI: '1',
    },
    stdio: 'ignore',
  });
  children.push(serve);
  try {
    await waitForPort(port);
    const base = `http://127.0.0.1:${port}`;
    const put = await fetch(`${base}/cache/hot`, {
      method: 'PUT',
      body: '"xxx"',
      headers: { 'content-type': 'application/json' },
    });
    if (put.status !== 201) throw new Error(`PUT answered ${put.status}`);
    const bin = join(
      createRequire(import.meta.url).resolve('autocannon/package.json'),
      '..',
      'autocannon.js',
    );
    const { stdout } = await run(
      process.execPath,
      [bin, '-c', String(CLIENTS), '-d', String(HTTP_SECONDS), '-j', `${base}/cache/hot`],
      {
        maxBuffer: 16 << 20,
      },
    );
    return JSON.parse(stdout) as AutocannonResult;
  } finally {
    serve.kill('SIGTERM');
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rounds = (xs: number[]) => xs.map((x) => fmt(x)).join(' / ');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const own = process.env.REDIS_URL ? undefined : await startRedis();
const url = process.env.REDIS_URL ?? own!.url;
try {
  const u = new URL(url);
  const cache = new Cache({ topology: new SingleTopology(url), namespace: 'bench', ttlMs: 600_000 });
  await cache.started();
  const KEYS = 1000;
  await Promise.all(Array.from({ length: KEYS }, (_, i) => cache.set(`k${i}`, 'xxx')));
  // Each caller walks its own stretch of the 1000 keys, so no two are on one key at once.
  const key = (caller: number, n: number) => `k${(caller * 20 + n) % KEYS}`;
  // The machine is shared: interleave ROUNDS rounds of each and keep the median of each, so a
  // burst of someone else's load hits all three alike instead of one of them.
  const runs = { baseline: [] as number[], get: [] as number[], getOrLoad: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.baseline.push(await redisBenchmark(u.hostname, Number(u.port || 6379)));
    runs.get.push(await ours((c, n) => cache.get(key(c, n))));
    runs.getOrLoad.push(await ours((c, n) => cache.getOrLoad(key(c, n), () => 'xxx')));
  }
  const baseline = median(runs.baseline);
  const get = median(runs.get);
  const getOrLoad = median(runs.getOrLoad);
  const cpuGet = median(cpuPerOp.filter((_, i) => i % 2 === 0));
  const cpuGetOrLoad = median(cpuPerOp.filter((_, i) => i % 2 === 1));
  // All 50 callers on one key: single flight shares each Redis round trip among them.
  const hotKey = await ours(() => cache.getOrLoad('k0', () => 'xxx'));
  await cache.clear();
  await cache.close();
  const http = await httpBench(url);

  console.log(
    `redis ${url}, ${REQUESTS} requests, ${CLIENTS} concurrent clients, median of ${ROUNDS} interleaved rounds`,
  );
  console.log(
    `  rounds: redis-benchmark ${rounds(runs.baseline)}; get ${rounds(runs.get)}; getOrLoad ${rounds(runs.getOrLoad)}`,
  );
  console.log(
    `redis-benchmark -t get -c ${CLIENTS} -n ${REQUESTS}      ${fmt(baseline).padStart(9)} ops/s  (baseline 1.00x)`,
  );
  console.log(
    `Cache.get, hit, auto-pipelined         ${fmt(get).padStart(9)} ops/s  ${(get / baseline).toFixed(2)}x  client CPU ${cpuGet.toFixed(1)} µs/op`,
  );
  console.log(
    `Cache.getOrLoad, hit, auto-pipelined   ${fmt(getOrLoad).padStart(9)} ops/s  ${(getOrLoad / baseline).toFixed(2)}x  client CPU ${cpuGetOrLoad.toFixed(1)} µs/op`,
  );
  console.log(
    `Cache.getOrLoad, one hot key (coalesced) ${fmt(hotKey).padStart(7)} ops/s  ${(hotKey / baseline).toFixed(2)}x  (not a Redis figure: callers share flights)`,
  );
  console.log(
    `HTTP GET /cache/:key (autocannon -c ${CLIENTS} -d ${HTTP_SECONDS}) ${fmt(http.requests.average).padStart(9)} req/s  p99 ${http.latency.p99} ms  ` +
      `(${(http.requests.average / get).toFixed(2)}x of Cache.get; non-2xx ${http.non2xx}, errors ${http.errors})`,
  );
} finally {
  own?.stop();
}
