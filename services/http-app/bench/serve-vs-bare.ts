/**
 * The deployed server against the strongest fair anchor (issues 15 and 20), run under
 * `flock /tmp/fopnp-bench.lock`:
 *  - ours is `http-app serve` itself, started as users start it (its logger, the metrics
 *    hooks, SQLite in memory), in its own process;
 *  - the anchor is a bare node:http server computing the same JSON (bench/bare.ts), in its own;
 *  - the load comes from `wrk` (Debian's, an external C load generator, so no JavaScript client
 *    shares the servers' event loop or is itself the bottleneck).
 * In each round both servers are loaded at once, each by its own wrk (BENCH_MODE=alternate:
 * one at a time, which goes first alternating), each ratio is taken within a round, and
 * min/median/max of the ratios are printed, beside the CPU time each server
 * process spent per request, read from /proc/<pid>/stat (utime + stime): on a machine shared
 * with other work, CPU per request is what moves least.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { POST_BODY } from './bare.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const TARGET = 0.9;
/** BENCH_MODE=alternate loads one server at a time (the order alternating round by round). */
const SIMULTANEOUS = process.env.BENCH_MODE !== 'alternate';
const ANCHOR = process.env.BENCH_ANCHOR;

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const CLI = path.join(here, '../src/cli.js');
const BARE = path.join(here, 'bare.js');
const CLK_TCK = 100; // getconf CLK_TCK on Linux x86-64 and arm64

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** utime + stime of a process, in microseconds. */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state: utime is the 14th
  // field of the line, the 12th after the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited (${child.exitCode})`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within 60 s`);
}

interface Server {
  name: string;
  port: number;
  pid: number;
  child: ChildProcess;
}

async function startDeployed(cli = CLI, name = 'http-app serve'): Promise<Server & { healthPort: number }> {
  const port = await freePort();
  const healthPort = await freePort();
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: String(healthPort),
      SQLITE_PATH: ':memory:',
      SESSION_SECRET: 'b'.repeat(64),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(`http://127.0.0.1:${port}/get`, child);
  return { name, port, pid: child.pid!, child, healthPort };
}

async function startBare(): Promise<Server> {
  const child = spawn(process.execPath, [BARE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare server exited (${code})`)));
  });
  return { name: 'bare node:http', port, pid: child.pid!, child };
}

type Workload = 'get' | 'post';

const POST_SCRIPT = path.join(tmpdir(), `http-app-bench-post-${process.pid}.lua`);
writeFileSync(
  POST_SCRIPT,
  `wrk.method = "POST"\nwrk.body = '${POST_BODY}'\nwrk.headers["Content-Type"] = "application/json"\n`,
);

interface Round {
  rps: number;
  cpuPerRequest: number;
  p99: string;
}

async function load(server: Server, workload: Workload, seconds: number): Promise<Round> {
  const url = `http://127.0.0.1:${server.port}${workload === 'get' ? '/get?bench=1' : '/post?bench=1'}`;
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency'];
  if (workload === 'post') args.push('-s', POST_SCRIPT);
  const before = cpuMicros(server.pid);
  const { stdout } = await promisify(execFile)('wrk', [...args, url]);
  const used = cpuMicros(server.pid) - before;
  if (/Non-2xx|Socket errors/.test(stdout))
    throw new Error(`wrk saw errors against ${server.name}:\n${stdout}`);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p99 = /^\s+99%\s+(\S+)/m.exec(stdout)?.[1] ?? '?';
  return { rps, cpuPerRequest: used / requests, p99 };
}

function stats(xs: number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const median = (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
  return { min: s[0]!, median, max: s.at(-1)! };
}

const fmt = (x: { min: number; median: number; max: number }) =>
  `${x.min.toFixed(2)} / ${x.median.toFixed(2)} / ${x.max.toFixed(2)}`;

async function compare(bare: Server, ours: Server, workload: Workload): Promise<void> {
  const what = workload === 'get' ? 'GET /get?bench=1' : 'POST /post?bench=1, 1 KiB JSON body';
  console.log(
    `wrk -t1 -c${CONNECTIONS}, ${SECONDS} s per round, ${what}, ${ROUNDS} rounds, ` +
      (SIMULTANEOUS ? 'both servers loaded at once' : 'one server at a time, order alternating'),
  );
  await load(bare, workload, 2); // warm-up: JIT both sides
  await load(ours, workload, 2);
  const rounds: { bare: Round; ours: Round }[] = [];
  for (let k = 0; k < ROUNDS && SIMULTANEOUS; k++) {
    // Both loaded at once, by two wrk processes: whatever else the machine runs meanwhile
    // disturbs both sides alike.
    const [b, o] = await Promise.all([load(bare, workload, SECONDS), load(ours, workload, SECONDS)]);
    rounds.push({ bare: b, ours: o });
  }
  for (let k = 0; k < ROUNDS && !SIMULTANEOUS; k++) {
    // Which server goes first alternates, so a load change within a round hurts both in turn.
    if (k % 2 === 0) {
      const b = await load(bare, workload, SECONDS);
      rounds.push({ bare: b, ours: await load(ours, workload, SECONDS) });
    } else {
      const o = await load(ours, workload, SECONDS);
      rounds.push({ bare: await load(bare, workload, SECONDS), ours: o });
    }
  }
  for (const side of ['bare', 'ours'] as const) {
    const rs = rounds.map((r) => r[side]);
    const name = side === 'bare' ? (ANCHOR ? 'anchor serve   ' : 'bare node:http ') : 'http-app serve ';
    console.log(
      `${name} ${stats(rs.map((r) => r.rps))
        .median.toFixed(0)
        .padStart(6)} req/s (median)  ` +
        `${stats(rs.map((r) => r.cpuPerRequest)).median.toFixed(1)} µs CPU/request (median)  p99 ${rs.map((r) => r.p99).join(' ')}`,
    );
  }
  const cpu = stats(rounds.map((r) => r.bare.cpuPerRequest / r.ours.cpuPerRequest));
  const rps = stats(rounds.map((r) => r.ours.rps / r.bare.rps));
  console.log(
    `per-round CPU ratios:   ${rounds.map((r) => (r.bare.cpuPerRequest / r.ours.cpuPerRequest).toFixed(2)).join(' ')}`,
  );
  console.log(`per-round req/s ratios: ${rounds.map((r) => (r.ours.rps / r.bare.rps).toFixed(2)).join(' ')}`);
  const verdict =
    workload === 'get' && !ANCHOR
      ? ` (target >= ${TARGET}x: ${cpu.median >= TARGET ? 'met' : 'NOT met'})`
      : '';
  const ratio = ANCHOR ? 'http-app / anchor' : 'http-app / bare  ';
  console.log(`${ratio}, requests per CPU-second, min / median / max: ${fmt(cpu)}${verdict}`);
  console.log(`${ratio}, req/s,                   min / median / max: ${fmt(rps)}`);
}

async function main(): Promise<void> {
  const startLoad = loadAverage();
  // BENCH_ANCHOR=path/to/cli.js: the anchor is that build's `serve` (an A/B of two builds).
  const bare = ANCHOR ? await startDeployed(path.resolve(ANCHOR), `serve of ${ANCHOR}`) : await startBare();
  const ours = await startDeployed();
  try {
    console.log(`${new Date().toISOString()}  Node ${process.version}  load average at start: ${startLoad}`);
    console.log(`anchor: ${bare.name}`);
    await compare(bare, ours, 'get');
    console.log('');
    await compare(bare, ours, 'post');
    // The hooks ran: the deployed server counted what it answered.
    const metrics = await (await fetch(`http://127.0.0.1:${ours.healthPort}/metrics`)).text();
    const counted = /^http_app_requests_total\{method="GET",status="200"[^}]*\} (\d+)/m.exec(metrics)?.[1];
    console.log(`\nthe deployed server's metrics counted ${counted} GET 200s`);
    console.log(`load average at end: ${loadAverage()}`);
  } finally {
    bare.child.kill();
    ours.child.kill();
  }
}

await main();
