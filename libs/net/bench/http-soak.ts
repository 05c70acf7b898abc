/**
 * Soak of the kit's HTTP limits (issue 21): against one server, at once, `--idle` connections
 * that never send a byte (opened at most 2,000 a second), `--slow` slowloris clients (one
 * header byte a second, reconnecting when cut off), and one normal client doing `GET /` every
 * 50 ms. Every 5 s: the normal client's p50/p99 and failures in that window, the server's RSS
 * and open fds, and its refused/shed counters. Bounded by `--seconds`.
 *
 *   node dist/bench/http-soak.js [--seconds 60] [--idle 10000] [--slow 1000] [--nofile N] [--unlimited]
 *
 * `--unlimited` runs the same server without `limitHttpServer` (Node's defaults), the anchor;
 * `--nofile N` runs the server under `prlimit --nofile=N:N`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { scrapeMetrics } from '../src/metrics-scrape.js';
import { sleep } from '../src/wait.js';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const SECONDS = arg('seconds', 60);
const IDLE = arg('idle', 10_000);
const SLOW = arg('slow', 1_000);
const UNLIMITED = process.argv.includes('--unlimited');
const NOFILE = arg('nofile', 0);

// The kit's test service (its `/` answers at once), as its test runs it.
const script = fileURLToPath(new URL('../../test/fixtures/slow-service.mjs', import.meta.url));
// prlimit execs the server, so its pid is the server's.
const [cmd, args] = NOFILE
  ? ['prlimit', [`--nofile=${NOFILE}:${NOFILE}`, process.execPath, script]]
  : [process.execPath, [script]];
const target = spawn(cmd, args, {
  env: { ...process.env, LOG_LEVEL: 'info', CI: '1', HTTP_UNLIMITED: UNLIMITED ? '1' : '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const ports = await new Promise<{ port: number; healthPort: number }>((resolve, reject) => {
  let out = '';
  target.stdout!.on('data', (d) => {
    out += d;
    const port = /"port":(\d+),.*"msg":"listening"/.exec(out)?.[1];
    const healthPort = /"healthPort":(\d+)/.exec(out)?.[1];
    if (port && healthPort) resolve({ port: Number(port), healthPort: Number(healthPort) });
  });
  target.once('exit', (c) => reject(new Error(`the server exited ${c}: ${out.slice(-500)}`)));
});
target.stdout!.resume();

const pid = target.pid!;
const rssMiB = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const fds = () => readdirSync(`/proc/${pid}/fd`).length;
const sockets = new Set<net.Socket>();
let stopping = false;
const deadline = Date.now() + SECONDS * 1000;

function open(onConnect?: (s: net.Socket) => void): void {
  if (stopping) return;
  const s = net.connect(ports.port, '127.0.0.1');
  sockets.add(s);
  s.on('error', () => {});
  s.on('close', () => sockets.delete(s));
  if (onConnect) s.once('connect', () => onConnect(s));
}

// Idle: opened in batches, never written to; each one cut off is reopened (an attacker keeps up the pressure).
const idle = (async () => {
  for (let n = 0; n < IDLE && !stopping; n += 200) {
    for (let i = 0; i < 200; i++) open((s) => s.once('close', () => setTimeout(() => open(), 1000)));
    await sleep(100);
  }
})();
// Slowloris: a header line byte by byte, one a second, reopened when cut off.
const slowloris = (s: net.Socket) => {
  const bytes = Buffer.from(
    'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  );
  let i = 0;
  const t = setInterval(() => {
    if (s.destroyed || stopping) return clearInterval(t);
    s.write(bytes.subarray(i % bytes.length, (i % bytes.length) + 1));
    i++;
  }, 1000);
  s.once('close', () => {
    clearInterval(t);
    setTimeout(() => open(slowloris), 1000);
  });
};
for (let i = 0; i < SLOW; i++) open(slowloris);

// The normal client.
let window: number[] = [];
let failed = 0;
const normal = (async () => {
  while (Date.now() < deadline) {
    const t0 = performance.now();
    try {
      const res = await fetch(`http://127.0.0.1:${ports.port}/`, { signal: AbortSignal.timeout(10_000) });
      await res.text();
      if (res.ok) window.push(performance.now() - t0);
      else failed++;
    } catch {
      failed++;
    }
    await sleep(50);
  }
})();

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : Number.NaN;
};
const started = Date.now();
process.stdout.write(
  `http soak ${new Date().toISOString()}: ${UNLIMITED ? 'Node defaults (no limits)' : 'kit limits'}, ${IDLE} idle + ${SLOW} slowloris + 1 normal client, ${SECONDS} s${NOFILE ? `, server fd limit ${NOFILE}` : ''}, node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} CPUs\n`,
);
process.stdout.write(
  '    t  ok  fail   p50 ms   p99 ms  RSS MiB  fds  client sockets  refused  shed  health\n',
);
while (Date.now() < deadline) {
  await sleep(5_000);
  let refused = Number.NaN;
  let shed = Number.NaN;
  let health = 'ok';
  try {
    const m = await scrapeMetrics(`http://127.0.0.1:${ports.healthPort}`, 5_000);
    refused = m.sum('fopnp_http_connections_refused_total');
    shed = m.sum('fopnp_http_connections_shed_total');
  } catch (err) {
    health = `FAIL (${(err as Error).message.slice(0, 40)})`;
  }
  process.stdout.write(
    `${String(Math.round((Date.now() - started) / 1000)).padStart(5)} ${String(window.length).padStart(3)} ${String(failed).padStart(5)} ${q(window, 0.5).toFixed(1).padStart(8)} ${q(window, 0.99).toFixed(1).padStart(8)} ${rssMiB().toFixed(0).padStart(8)} ${String(fds()).padStart(5)} ${String(sockets.size).padStart(15)} ${String(refused).padStart(8)} ${String(shed).padStart(5)}  ${health}\n`,
  );
  window = [];
  failed = 0;
}
stopping = true;
await Promise.all([idle, normal]);
for (const s of sockets) s.destroy();
target.kill('SIGTERM');
process.exit(0);
