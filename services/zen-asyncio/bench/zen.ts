/**
 * The load benchmark: our `loop` and `cluster` servers against the reference Python
 * asyncio server (zen_asyncio_ref.py, the book's srv_asyncio2.py) under the same load
 * generator, then ten thousand idle connections held at once. Prints questions/s,
 * p50/p99 latency, errors, CPU used, and the ratios. Run through bench/run.sh, which
 * raises the file-descriptor limit and takes the machine-wide benchmark lock.
 */
import { spawn } from 'node:child_process';
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

const options = defineOptions({
  connections: { type: 'int', default: 1000, min: 1, description: 'concurrent connections per load run' },
  depth: {
    type: 'list',
    default: ['1', '16'],
    description: 'questions in flight per connection (1 = sequential); one run per value',
  },
  rounds: {
    type: 'int',
    default: 3,
    min: 1,
    max: 20,
    description: 'runs of each server per depth (medians reported)',
  },
  seconds: { type: 'number', default: 5, min: 0.5, description: 'measured seconds per run' },
  warmup: { type: 'number', default: 1, min: 0, description: 'unmeasured seconds before each run' },
  generators: { type: 'int', default: 1, min: 1, max: 8, description: 'load-generator processes' },
  idle: { type: 'int', default: 10_000, min: 0, description: 'idle connections to hold (0 = skip)' },
  servers: {
    type: 'list',
    default: ['python', 'bare', 'loop', 'cluster'],
    description: 'servers to race: python, bare (the yardstick in bare-server.ts), loop, cluster',
  },
});

const parsed = parseOptions(options, process.argv.slice(2));
if (parsed.help) {
  process.stdout.write(formatHelp('bash bench/run.sh [options]', 'zen-asyncio load benchmark', options));
  process.exit(0);
}
const cfg = parsed.values;

interface Row {
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
    case 'python':
      return startServer('python asyncio', 'python3', [pythonRef, '127.0.0.1', '-p', '0']);
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
      throw new Error(`unknown server ${name}: expected python, bare, loop or cluster`);
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

async function race(server: StartedServer, depth: number): Promise<Row> {
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
  'server           conns depth    questions/s   p50 ms   p99 ms  errors  server CPU  generator CPU  questions/server CPU-s';
const line = (row: Row) =>
  `${row.server.padEnd(15)} ${String(row.connections).padStart(6)} ${String(row.depth).padStart(5)} ${fmt(row.qps, 0).padStart(14)} ${fmt(row.p50, 2).padStart(8)} ${fmt(row.p99, 2).padStart(8)} ${String(row.errors).padStart(7)} ${`${fmt(row.serverCpu * 100, 0)}%`.padStart(11)} ${`${fmt(row.generatorCpu * 100, 0)}%`.padStart(14)} ${fmt(perCpu(row), 0).padStart(23)}`;
const perCpu = (r: Row) => r.qps / r.serverCpu;
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

// Rounds interleave the servers, so a burst of someone else's load on this shared
// machine hits all of them rather than one; the summary takes each column's median.
console.log(`every run (${cfg.rounds} round(s), servers interleaved):`);
console.log(header);
const rows: Row[] = [];
for (const depth of cfg.depth.map(Number)) {
  for (let round = 0; round < cfg.rounds; round++) {
    for (const name of cfg.servers) {
      const server = await launch(name);
      try {
        const row = await race(server, depth);
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
  '\nratios of questions/s (and of questions per server CPU-second, which other load on a shared machine disturbs less); p99 ratio < 1 means our p99 is lower:',
);
for (const depth of cfg.depth.map(Number)) {
  const by = (n: string) => summary.find((r) => r.depth === depth && r.server === n);
  const python = by('python asyncio');
  const loop = by('zen loop');
  const cluster = by('zen cluster');
  if (loop && python)
    console.log(
      `  depth ${depth}: loop/python = ${fmt(loop.qps / python.qps, 2)}x (per CPU-s ${fmt(perCpu(loop) / perCpu(python), 2)}x)   p99 loop/python = ${fmt(loop.p99 / python.p99, 2)}`,
    );
  if (cluster && python)
    console.log(
      `  depth ${depth}: cluster/python = ${fmt(cluster.qps / python.qps, 2)}x   p99 cluster/python = ${fmt(cluster.p99 / python.p99, 2)}`,
    );
  if (cluster && loop) console.log(`  depth ${depth}: cluster/loop = ${fmt(cluster.qps / loop.qps, 2)}x`);
  const bare = by('bare node');
  if (bare && python)
    console.log(
      `  depth ${depth}: bare/python per CPU-s = ${fmt(perCpu(bare) / perCpu(python), 2)}x (bare = the least Node can do per question)   loop/bare per CPU-s = ${fmt(perCpu(loop ?? bare) / perCpu(bare), 2)}x`,
    );
}

if (cfg.idle > 0) {
  console.log(
    `\nidle connections (file-descriptor limit of this run: ${process.env.ZEN_BENCH_NOFILE ?? 'unknown'}):`,
  );
  for (const name of cfg.servers.filter((s) => s === 'python' || s === 'loop'))
    console.log(`  ${await holdIdle(name)}`);
}
