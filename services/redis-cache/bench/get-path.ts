/**
 * Benchmark of the cache's hit path against the strongest anchors, in one run:
 *   - redis-benchmark -t get -c 50 (the C client, one request per connection in flight)
 *   - raw ioredis: getBuffer with enableAutoPipelining, 50 concurrent callers (the JavaScript limit)
 *   - our Cache.get and Cache.getOrLoad on hits, 50 concurrent callers, one auto-pipelined connection
 * BENCH_ROUNDS rounds (default 7), the order of the four rotated each round; each round's ratios
 * are taken within the round and printed with their min / median / max, so load that comes and
 * goes hits all sides of a ratio alike. CPU per operation beside throughput: the client's (this
 * process, or redis-benchmark's from bash `times`) and the Redis server's (/proc/<pid>/stat).
 * Then the load average, one hot key (single flight) and GET /cache/:key of `serve` (autocannon).
 * Redis: a private redis-server started here on a free port (persistence off), or REDIS_URL.
 * Run under `flock /tmp/fopnp-bench.lock` on a shared machine.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { redisServerArgs } from '@fopnp/net';
import { Redis } from 'ioredis';
import { Cache } from '../src/cache.js';
import { SingleTopology } from '../src/topology/single.js';

const run = promisify(execFile);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200_000);
const CLIENTS = 50;
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
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

async function startRedis(): Promise<{ url: string; port: number; pid: number; stop(): void }> {
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
    pid: child.pid!,
    stop() {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One side's run: throughput, and CPU µs per operation of the client and of the Redis server. */
interface Side {
  opsPerSec: number;
  clientUs: number;
  serverUs: number;
}

/** utime + stime of a process, in µs (/proc/<pid>/stat; 0 when it is not ours to read). */
function cpuOfPid(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // USER_HZ = 100
  } catch {
    return 0;
  }
}

async function redisBenchmark(host: string, port: number, serverPid: number | undefined): Promise<Side> {
  // Its GET key is literally "key:__rand_int__" without -r; give it a 3-byte value so it measures hits too.
  await run('redis-cli', ['-h', host, '-p', String(port), 'SET', 'key:__rand_int__', 'xxx']);
  const server = cpuOfPid(serverPid);
  // bash's `times` prints the CPU its children used: redis-benchmark's, the client side.
  const { stdout } = await run(
    'bash',
    ['-c', `redis-benchmark -h ${host} -p ${port} -t get -c ${CLIENTS} -n ${REQUESTS} -q; times`],
    { maxBuffer: 1 << 20 },
  );
  const m = stdout.match(/GET: ([\d.]+) requests per second/);
  const t = [...stdout.matchAll(/(\d+)m([\d.]+)s/g)].slice(2, 4); // the children's user and sys
  if (!m || t.length !== 2) throw new Error(`unexpected redis-benchmark output: ${stdout}`);
  const clientUs = t.reduce((sum, [, min, sec]) => sum + (Number(min) * 60 + Number(sec)) * 1e6, 0);
  return {
    opsPerSec: Number(m[1]),
    clientUs: clientUs / REQUESTS,
    serverUs: (cpuOfPid(serverPid) - server) / REQUESTS,
  };
}

/** `op(caller, n)` run REQUESTS times by CLIENTS concurrent callers in this process. */
async function ours(op: (caller: number, n: number) => Promise<unknown>, serverPid?: number): Promise<Side> {
  for (let i = 0; i < 5_000; i++) await op(0, i); // warm up the JIT and the connection
  let remaining = REQUESTS;
  const server = cpuOfPid(serverPid);
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, caller) => {
      for (let n = 0; remaining-- > 0; n++) await op(caller, n);
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    opsPerSec: REQUESTS / ((performance.now() - started) / 1000),
    clientUs: (used.user + used.system) / REQUESTS,
    serverUs: (cpuOfPid(serverPid) - server) / REQUESTS,
  };
}

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

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[], digits = 2) => {
  const s = sorted(xs);
  return `${s[0]!.toFixed(digits)} / ${median(xs).toFixed(digits)} / ${s[s.length - 1]!.toFixed(digits)}`;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

const own = process.env.REDIS_URL ? undefined : await startRedis();
const url = process.env.REDIS_URL ?? own!.url;
const serverPid = own?.pid;
const loadBefore = load();
try {
  const u = new URL(url);
  const cache = new Cache({ topology: new SingleTopology(url), namespace: 'bench', ttlMs: 600_000 });
  await cache.started();
  const raw = new Redis(url, { enableAutoPipelining: true });
  const KEYS = 1000;
  await Promise.all(Array.from({ length: KEYS }, (_, i) => cache.set(`k${i}`, 'xxx')));
  // Each caller walks its own stretch of the 1000 keys, so no two are on one key at once.
  const key = (caller: number, n: number) => `k${(caller * 20 + n) % KEYS}`;
  const rawKey = (caller: number, n: number) => cache.keys.data(key(caller, n));
  const sides = {
    'redis-benchmark': () => redisBenchmark(u.hostname, Number(u.port || 6379), serverPid),
    'raw ioredis': () => ours((c, n) => raw.getBuffer(rawKey(c, n)), serverPid),
    'Cache.get': () => ours((c, n) => cache.get(key(c, n)), serverPid),
    'Cache.getOrLoad': () => ours((c, n) => cache.getOrLoad(key(c, n), () => 'xxx'), serverPid),
  } as const;
  type Name = keyof typeof sides;
  const names = Object.keys(sides) as Name[];
  const runs = Object.fromEntries(names.map((n) => [n, [] as Side[]])) as Record<Name, Side[]>;
  for (let round = 0; round < ROUNDS; round++) {
    // Rotated: each side goes first, second, ... in turn, so no side always follows another.
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!;
      runs[name].push(await sides[name]());
    }
  }
  const ratio = (a: Name, b: Name) => runs[a].map((side, i) => side.opsPerSec / runs[b][i]!.opsPerSec);
  // All 50 callers on one key: single flight shares each Redis round trip among them.
  const hotKey = await ours(() => cache.getOrLoad('k0', () => 'xxx'));
  await cache.clear();
  raw.disconnect();
  await cache.close();
  const http = HTTP_SECONDS > 0 ? await httpBench(url) : undefined;

  console.log(
    `redis ${url}, ${REQUESTS} GETs of a 3-byte value per side and round, ${CLIENTS} concurrent callers, ` +
      `${ROUNDS} rounds (order rotated), ${new Date().toISOString().slice(0, 16)}Z, load average ${loadBefore} at start, ${load()} at end`,
  );
  console.log('  ops/s per round:');
  for (const name of names)
    console.log(`    ${name.padEnd(16)} ${runs[name].map((r) => fmt(r.opsPerSec)).join(' / ')}`);
  console.log('side               ops/s (min / median / max)        client CPU µs/op  Redis CPU µs/op');
  for (const name of names) {
    const r = runs[name];
    console.log(
      `${name.padEnd(18)} ${spread(
        r.map((x) => x.opsPerSec),
        0,
      ).padEnd(33)} ${median(r.map((x) => x.clientUs))
        .toFixed(2)
        .padStart(8)}  ${median(r.map((x) => x.serverUs))
        .toFixed(2)
        .padStart(15)}`,
    );
  }
  console.log('ratios, each within its round (min / median / max):');
  console.log(
    `  Cache.get / redis-benchmark        ${spread(ratio('Cache.get', 'redis-benchmark'))}  (target >= 1.0)`,
  );
  console.log(`  Cache.getOrLoad / redis-benchmark  ${spread(ratio('Cache.getOrLoad', 'redis-benchmark'))}`);
  console.log(
    `  Cache.get / raw ioredis            ${spread(ratio('Cache.get', 'raw ioredis'))}  (the gap to the JavaScript limit)`,
  );
  console.log(`  raw ioredis / redis-benchmark      ${spread(ratio('raw ioredis', 'redis-benchmark'))}`);
  console.log(
    `Cache.getOrLoad, one hot key (coalesced) ${fmt(hotKey.opsPerSec)} ops/s (not a Redis figure: callers share flights)`,
  );
  if (http)
    console.log(
      `HTTP GET /cache/:key of serve (autocannon -c ${CLIENTS} -d ${HTTP_SECONDS}) ${fmt(http.requests.average)} req/s  p99 ${http.latency.p99} ms  ` +
        `(non-2xx ${http.non2xx}, errors ${http.errors})`,
    );
} finally {
  own?.stop();
}
