/**
 * XML-RPC calls/s of the book's addtogether(20, 30, 4, 1): our server against Python's
 * SimpleXMLRPCServer with ThreadingMixIn running the book's xmlrpc_server.py with a listen
 * backlog of 128 (socketserver's default of 5 left most of 32 callers waiting on SYN
 * retries: issue 20), each in its own process, driven in the same run by the same TypeScript
 * load client (C concurrent callers, keep-alive where the server allows it, every reply
 * checked for 55). Rounds alternate which server goes first; the ratio is taken per round
 * (min / median / max), beside each server's CPU time per call (/proc/<pid>/stat).
 *
 *   node dist/bench/xmlrpc-throughput.js [--duration-ms 3000] [--concurrency 32] [--rounds 3]
 *
 * Run it under `flock /tmp/fopnp-bench.lock` on the shared machine.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bookXmlrpcServer } from './book-xmlrpc-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, '..', '..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION_MS = arg('--duration-ms', 3000);
const WARMUP_MS = arg('--warmup-ms', 1000);
const CONCURRENCY = arg('--concurrency', 32);
const ROUNDS = arg('--rounds', 3);

// What Python's xmlrpc.client sends for proxy.addtogether(20, 30, 4, 1).
const BODY = Buffer.from(
  "<?xml version='1.0'?>\n<methodCall>\n<methodName>addtogether</methodName>\n<params>\n" +
    [20, 30, 4, 1].map((n) => `<param>\n<value><int>${n}</int></value>\n</param>\n`).join('') +
    '</params>\n</methodCall>\n',
);
const EXPECTED = '<int>55</int>';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function startServer(cmd: string, args: string[], ready: RegExp) {
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      if (ready.test(out)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`${cmd} not ready: ${out}`)), 15_000);
  });
  return child;
}

interface Result {
  calls: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
  connections: number;
}

/** C callers, each POSTing sequentially until the deadline. */
async function load(port: number, durationMs: number): Promise<Result> {
  let connections = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const sockets = new WeakSet<object>();
  const latencies: number[] = [];
  let calls = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/RPC2',
          method: 'POST',
          agent,
          headers: { 'content-type': 'text/xml', 'content-length': BODY.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode === 200 && Buffer.concat(chunks).toString().includes(EXPECTED)) {
              calls++;
              latencies.push(performance.now() - t0);
            } else errors++;
            resolve();
          });
          res.on('error', () => {
            errors++;
            resolve();
          });
        },
      );
      req.on('socket', (s) => {
        if (!sockets.has(s)) {
          sockets.add(s);
          connections++;
        }
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(BODY);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) await one();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? Number.NaN;
  return { calls, errors, seconds, p50: pct(0.5), p99: pct(0.99), connections };
}

interface Server {
  name: string;
  cmd: string;
  args: (port: number) => string[];
}

const SERVERS: Server[] = [
  {
    name: 'rpc-gateway (node, this package)',
    cmd: process.execPath,
    args: (port) => [path.join(pkg, 'dist', 'src', 'cli.js'), 'server', '127.0.0.1', '-p', String(port)],
  },
  {
    name: 'Python SimpleXMLRPCServer + ThreadingMixIn',
    cmd: 'python3',
    args: (port) => [bookXmlrpcServer(), String(port), '--threading', '--backlog', '128'],
  },
];

/** CPU seconds (user + system, all threads) of a process so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** One round: start the server, warm up, measure, stop. Returns calls/s and CPU µs per call. */
async function measure(server: Server, round: number): Promise<{ rate: number; cpuUsPerCall: number }> {
  const port = await freePort();
  const child = await startServer(server.cmd, server.args(port), /Server ready/);
  try {
    await load(port, WARMUP_MS);
    const cpu0 = cpuSeconds(child.pid!);
    const r = await load(port, DURATION_MS);
    const cpuUsPerCall = ((cpuSeconds(child.pid!) - cpu0) * 1e6) / Math.max(1, r.calls);
    const rate = r.calls / r.seconds;
    console.log(
      `  round ${round}  ${server.name.padEnd(44)} ${rate.toFixed(0).padStart(7)} calls/s  ${cpuUsPerCall.toFixed(0).padStart(5)} µs CPU/call  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  errors ${r.errors}  connections ${r.connections}`,
    );
    if (r.errors) throw new Error(`${r.errors} calls failed against ${server.name}`);
    return { rate, cpuUsPerCall };
  } finally {
    child.kill('SIGTERM');
  }
}

const loadStart = os.loadavg()[0]!;
console.log(
  `addtogether(20, 30, 4, 1) over XML-RPC: ${CONCURRENCY} concurrent callers, ${ROUNDS} rounds of ${DURATION_MS} ms each (after ${WARMUP_MS} ms warm-up), the first server alternating; ${new Date().toISOString().slice(0, 16)}Z, load average at start ${loadStart.toFixed(1)} on ${os.cpus().length} cores`,
);
const ratios: number[] = [];
const cpuRatios: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const order = round % 2 ? SERVERS : [...SERVERS].reverse();
  const results = new Map<Server, { rate: number; cpuUsPerCall: number }>();
  for (const server of order) results.set(server, await measure(server, round));
  const [ours, python] = SERVERS.map((s) => results.get(s)!);
  ratios.push(ours!.rate / python!.rate);
  cpuRatios.push(python!.cpuUsPerCall / ours!.cpuUsPerCall);
}
const spread = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return `${sorted[0]!.toFixed(2)} / ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} / ${sorted.at(-1)!.toFixed(2)}`;
};
console.log(`ours/python calls/s per round (min / median / max): ${spread(ratios)} (target >= 5x)`);
console.log(`python/ours CPU per call per round (min / median / max): ${spread(cpuRatios)}`);
console.log(`load average at end ${os.loadavg()[0]!.toFixed(1)}`);
