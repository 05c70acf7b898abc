/**
 * The load benchmark: our `loop` and `cluster` servers against the book's asyncio servers
 * (zen_asyncio_ref.py: srv_asyncio2.py on plain asyncio, srv_asyncio1.py's callbacks on
 * uvloop, the strongest Python anchor) and a bare Node server (the least Node can do),
 * under the same load generator, then ten thousand idle connections held at once. Rounds
 * rotate the order of the servers; each ratio is taken per round and printed as min /
 * median / max with the server's CPU time per question (/proc/<pid>/stat). Run through
 * bench/run.sh, which raises the file-descriptor limit and takes the benchmark lock.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { defineOptions, formatHelp, parseOptions } from '@fopnp/net';
import { Histogram } from './histogram.js';
import type { LoadOptions, LoadResult } from './loadgen.js';
import { cpuMs, rssMiB, type StartedServer, startServer } from './procs.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageRoot = path.resolve(here, '../..');
const cliPath = path.join(packageRoot, 'dist/src/cli.js');
const loadgenPath = path.join(here, 'loadgen.js');
const pythonRef = path.join(packageRoot, 'bench/zen_asyncio_ref.py');
/** Debian's Python (python3-uvloop is installed for it), else whatever python3 is on PATH. */
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const options = defineOptions({
  connections: { type: 'int', default: 1000, min: 1, description: 'concurrent connections per load run' },
  depth: {
    type: 'list',
    default: ['1', '16'],
    description: 'questions in flight per connection (1 = sequential); one run per value',
  },
  rounds: {
    type: 'int',
    default: 5,
    min: 1,
    max: 20,
    description: 'runs of each server per depth, the order rotated each round (ratios per round)',
  },
  seconds: { type: 'number', default: 5, min: 0.5, description: 'measured seconds per run' },
  warmup: { type: 'number', default: 1, min: 0, description: 'unmeasured seconds before each run' },
  generators: { type: 'int', default: 1, min: 1, max: 8, description: 'load-generator processes' },
  idle: { type: 'int', default: 10_000, min: 0, description: 'idle connections to hold (0 = skip)' },
  servers: {
    type: 'list',
    default: ['asyncio', 'uvloop', 'bare', 'loop', 'cluster'],
    description:
      'servers to race: asyncio (srv_asyncio2.py), asyncio-cb (srv_asyncio1.py), uvloop (srv_asyncio1.py on uvloop), uvloop-streams, bare (bare-server.ts), loop, cluster',
  },
});

const parsed = parseOptions(options, process.argv.slice(2));
if (parsed.help) {
  process.stdout.write(formatHelp('bash bench/run.sh [options]', 'zen-asyncio load benchmark', options));
  process.exit(0);
}
const cfg = parsed.values;

interface Row {
  round: number;
  server: string;
  connections: number;
  depth: number;
  qps: number;
  p50: number;
  p99: number;
  errors: number;
  serverCpu: number;
  generatorCpu: number;
}

function launch(name: string): Promise<StartedServer> {
  const quiet = { LOG_LEVEL: 'warn' };
  const limits = ['--max-connections', '30000', '--idle-timeout-ms', '0'];
  switch (name) {
    case 'asyncio':
    case 'python':
      return startServer('asyncio', python, [pythonRef, '127.0.0.1', '-p', '0']);
    case 'asyncio-cb':
      return startServer('asyncio cb', python, [pythonRef, '127.0.0.1', '-p', '0', '--callbacks']);
    case 'uvloop':
      return startServer('uvloop cb', python, [pythonRef, '127.0.0.1', '-p', '0', '--callbacks', '--uvloop']);
    case 'uvloop-streams':
      return startServer('uvloop streams', python, [pythonRef, '127.0.0.1', '-p', '0', '--uvloop']);
    case 'loop':
      return startServer(
        'zen loop',
        process.execPath,
        [cliPath, 'server', '127.0.0.1', '-p', '0', ...limits],
        quiet,
      );
    case 'bare':
      return startServer('bare node', process.execPath, [path.join(here, 'bare-server.js')]);
    case 'cluster':
      return startServer(
        'zen cluster',
        process.execPath,
        [cliPath, 'server', '127.0.0.1', '-p', '0', '--mode', 'cluster', ...limits],
        quiet,
      );
    default:
      throw new Error(
        `unknown server ${name}: expected asyncio, asyncio-cb, uvloop, uvloop-streams, bare, loop or cluster`,
      );
  }
}

interface GeneratorEvents {
  /** Every generator has connected everything (idle-hold runs). */
  connected?: () => void;
  /** The first generator opened / closed its measured window. */
  measuring?: () => void;
  measured?: () => void;
}

/** Runs the load generator processes and collects their results. */
async function generate(
  load: Omit<LoadOptions, 'connections'>,
  connections: number,
  processes: number,
  on: GeneratorEvents = {},
): Promise<LoadResult[]> {
  let connectedReports = 0;
  const runs = Array.from({ length: processes }, (_, i) => {
    const share = Math.floor(connections / processes) + (i < connections % processes ? 1 : 0);
    const child = spawn(process.execPath, [loadgenPath, JSON.stringify({ ...load, connections: share })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return new Promise<LoadResult>((resolve, reject) => {
      const lines = readline.createInterface({ input: child.stdout! });
      let result: LoadResult | undefined;
      lines.on('line', (line) => {
        const msg = JSON.parse(line) as LoadResult | { connected: number } | { phase: string };
        if ('connected' in msg) {
          if (++connectedReports === processes) on.connected?.();
        } else if ('phase' in msg) {
          if (i === 0) (msg.phase === 'measuring' ? on.measuring : on.measured)?.();
        } else result = msg;
      });
      child.on('close', (code) =>
        result ? resolve(result) : reject(new Error(`load generator exited ${code} without a result`)),
      );
    });
  });
  return Promise.all(runs);
}

async function race(server: StartedServer, depth: number, round: number): Promise<Row> {
  let window = { cpu: 0, at: 0 };
  let serverCpu = Number.NaN;
  const results = await generate(
    { host: '127.0.0.1', port: server.port, depth, warmupMs: cfg.warmup * 1000, seconds: cfg.seconds },
    cfg.connections,
    cfg.generators,
    {
      measuring: () => {
        window = { cpu: cpuMs(server.pid), at: performance.now() };
      },
      measured: () => {
        serverCpu = (cpuMs(server.pid) - window.cpu) / (performance.now() - window.at);
      },
    },
  );
  const histogram = new Histogram();
  let answered = 0;
  let errors = 0;
  let generatorCpuMs = 0;
  let connected = 0;
  for (const r of results) {
    histogram.merge(new Histogram(r.histogram));
    answered += r.answered;
    errors += r.errors + r.wrongAnswers + r.unanswered + r.connectFailures;
    generatorCpuMs += r.cpuMs;
    connected += r.connections;
  }
  return {
    round,
    server: server.name,
    connections: connected,
    depth,
    qps: answered / cfg.seconds,
    p50: histogram.percentile(0.5),
    p99: histogram.percentile(0.99),
    errors,
    serverCpu,
    generatorCpu: generatorCpuMs / (cfg.seconds * 1000),
  };
}

async function holdIdle(name: string): Promise<string> {
  const server = await launch(name);
  try {
    let rss = Number.NaN;
    const results = await generate(
      { host: '127.0.0.1', port: server.port, depth: 1, warmupMs: 0, seconds: 0, holdMs: 3_000 },
      cfg.idle,
      Math.max(1, Math.ceil(cfg.idle / 10_000)),
      {
        connected: () => {
          // every connection is open and silent now: let the server settle, then measure
          setTimeout(() => {
            rss = rssMiB(server.pid);
          }, 1_500);
        },
      },
    );
    const held = results.reduce((n, r) => n + r.connections, 0);
    const answered = results.reduce((n, r) => n + r.answered, 0);
    const errors = results.reduce(
      (n, r) => n + r.errors + r.wrongAnswers + r.unanswered + r.connectFailures,
      0,
    );
    return `${server.name.padEnd(15)} held ${held} of ${cfg.idle} idle connections at once; answered afterwards: ${answered}; errors ${errors}; server RSS while holding ${rss.toFixed(1)} MiB`;
  } finally {
    await server.stop();
  }
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

console.log(
  `zen-asyncio load benchmark: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, node ${process.version}`,
);
console.log(
  `${cfg.connections} connections, depth ${cfg.depth.join('/')}, ${cfg.seconds} s measured after ${cfg.warmup} s warm-up, ${cfg.generators} generator process(es)\n`,
);
const header =
  'server           conns depth    questions/s   p50 ms   p99 ms  errors  server CPU  generator CPU  questions/server CPU-s  CPU us/question';
const line = (row: Row) =>
  `${row.server.padEnd(15)} ${String(row.connections).padStart(6)} ${String(row.depth).padStart(5)} ${fmt(row.qps, 0).padStart(14)} ${fmt(row.p50, 2).padStart(8)} ${fmt(row.p99, 2).padStart(8)} ${String(row.errors).padStart(7)} ${`${fmt(row.serverCpu * 100, 0)}%`.padStart(11)} ${`${fmt(row.generatorCpu * 100, 0)}%`.padStart(14)} ${fmt(perCpu(row), 0).padStart(23)} ${fmt(1e6 / perCpu(row), 2).padStart(16)}`;
const perCpu = (r: Row) => r.qps / r.serverCpu;
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

// Rounds interleave the servers, and each round starts with the next one, so a burst of
// someone else's load on this shared machine hits all of them rather than one; ratios are
// taken within a round.
console.log(`every run (${cfg.rounds} round(s), servers interleaved, order rotated each round):`);
console.log(header);
const rows: Row[] = [];
for (const depth of cfg.depth.map(Number)) {
  for (let round = 0; round < cfg.rounds; round++) {
    const n = cfg.servers.length;
    for (const name of cfg.servers.map((_, i) => cfg.servers[(i + round) % n]!)) {
      const server = await launch(name);
      try {
        const row = await race(server, depth, round);
        rows.push(row);
        console.log(line(row));
      } finally {
        await server.stop();
      }
    }
  }
}

const summary: Row[] = [];
for (const depth of cfg.depth.map(Number)) {
  for (const name of new Set(rows.map((r) => r.server))) {
    const runs = rows.filter((r) => r.depth === depth && r.server === name);
    if (runs.length === 0) continue;
    const col = (k: keyof Row) => median(runs.map((r) => r[k] as number));
    summary.push({
      round: -1,
      server: name,
      connections: col('connections'),
      depth,
      qps: col('qps'),
      p50: col('p50'),
      p99: col('p99'),
      errors: runs.reduce((n, r) => n + r.errors, 0),
      serverCpu: col('serverCpu'),
      generatorCpu: col('generatorCpu'),
    });
  }
}
console.log(`\nmedians of ${cfg.rounds} round(s) (errors summed):`);
console.log(header);
for (const row of summary) console.log(line(row));

console.log(
  '\nours / anchor, ratio taken per round (min median max), for questions/s and for questions per server CPU-second (what load on a shared machine disturbs least):',
);
const spread = (xs: number[]) =>
  xs.length === 0 ? '-' : `${fmt(Math.min(...xs), 2)} ${fmt(median(xs), 2)} ${fmt(Math.max(...xs), 2)}`;
for (const depth of cfg.depth.map(Number)) {
  const names = [...new Set(rows.map((r) => r.server))];
  for (const ours of ['zen loop', 'zen cluster']) {
    for (const anchor of names.filter((a) => a !== ours && !(ours === 'zen cluster' && a === 'zen loop'))) {
      const qps: number[] = [];
      const cpu: number[] = [];
      for (let round = 0; round < cfg.rounds; round++) {
        const a = rows.find((r) => r.depth === depth && r.round === round && r.server === ours);
        const b = rows.find((r) => r.depth === depth && r.round === round && r.server === anchor);
        if (!a || !b) continue;
        qps.push(a.qps / b.qps);
        cpu.push(perCpu(a) / perCpu(b));
      }
      if (qps.length === 0) continue;
      console.log(
        `  depth ${String(depth).padStart(2)}: ${ours.padEnd(11)} / ${anchor.padEnd(14)} questions/s ${spread(qps).padEnd(16)} per CPU-s ${spread(cpu)}`,
      );
    }
  }
}

if (cfg.idle > 0) {
  console.log(
    `\nidle connections (file-descriptor limit of this run: ${process.env.ZEN_BENCH_NOFILE ?? 'unknown'}):`,
  );
  for (const name of cfg.servers.filter((s) =>
    ['asyncio', 'python', 'uvloop', 'loop', 'cluster'].includes(s),
  ))
    console.log(`  ${await holdIdle(name)}`);
}
