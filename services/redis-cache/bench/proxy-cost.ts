/**
 * What a proxy costs: GET through twemproxy (Debian's nutcracker) against GET straight to
 * the shard that holds the key, same keys, same run, interleaved rounds (median).
 *   - throughput: 50 concurrent callers on one ioredis connection (auto-pipelined, as the cache runs)
 *   - latency: one caller, one GET at a time (a full round trip each), p50 and p99
 * Starts four private redis-server processes and one nutcracker (ketama, fnv1a_64) on free
 * ports, and stops them at the end. Run under `flock /tmp/fopnp-bench.lock` on a shared machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, stopAll, waitForPort } from '@fopnp/net/testing';
import { Redis } from 'ioredis';
import { ketamaPlacement } from '../src/sharding/twemproxy.js';
import { connectProxy } from '../src/topology/proxy.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100_000);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CALLERS = 50;

const dir = mkdtempSync(join(tmpdir(), 'redis-cache-proxy-bench-'));

async function main(): Promise<void> {
  const ports = await Promise.all([0, 1, 2, 3].map(() => freePort()));
  // Persistence off, in a temp dir: a cache's servers, as the tests run them.
  const redisArgs = (port: number) =>
    `--port ${port} --bind 127.0.0.1 --appendonly no --dir ${dir}`.split(' ');
  for (const port of ports) {
    startProcess('redis-server', [...redisArgs(port), '--save', '']);
    await waitForPort(port, '127.0.0.1', 10_000);
  }
  const proxyPort = await freePort();
  const conf = join(dir, 'nutcracker.yml');
  writeFileSync(
    conf,
    [
      'bench:',
      `  listen: 127.0.0.1:${proxyPort}`,
      '  redis: true',
      '  hash: fnv1a_64',
      '  distribution: ketama',
      '  auto_eject_hosts: false',
      '  preconnect: true',
      '  servers:',
      ...ports.map((p) => `    - 127.0.0.1:${p}:1`),
      '',
    ].join('\n'),
  );
  startProcess('nutcracker', [
    '-c',
    conf,
    '-s',
    String(await freePort()),
    '-a',
    '127.0.0.1',
    '-o',
    join(dir, 'nc.log'),
  ]);
  await waitForPort(proxyPort, '127.0.0.1', 10_000);

  // 1000 keys that all live on shard 0, so "direct" is one connection to one server, as through the proxy.
  const placement = ketamaPlacement(ports.map((p) => ({ name: `127.0.0.1:${p}` })));
  const keys: string[] = [];
  for (let i = 0; keys.length < 1000; i++) if (placement.indexOf(`bench:${i}`) === 0) keys.push(`bench:${i}`);

  const direct = new Redis({ port: ports[0], enableAutoPipelining: true });
  const proxied = connectProxy(`redis://127.0.0.1:${proxyPort}`, { commandTimeoutMs: 30_000 });
  await new Promise((r) => proxied.once('ready', r));
  for (const k of keys) await proxied.set(k, 'abc');
  if ((await direct.dbsize()) !== keys.length) throw new Error('keys are not where ketama says');

  const throughput = async (client: Redis): Promise<number> => {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (next < REQUESTS) {
          const k = keys[next++ % keys.length]!;
          if ((await client.get(k)) !== 'abc') throw new Error(`wrong value for ${k}`);
        }
      }),
    );
    return REQUESTS / ((performance.now() - started) / 1000);
  };
  const latency = async (client: Redis): Promise<{ p50: number; p99: number }> => {
    const ms: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const t = performance.now();
      await client.get(keys[i % keys.length]!);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { p50: ms[Math.floor(ms.length / 2)]!, p99: ms[Math.floor(ms.length * 0.99)]! };
  };

  const rows = {
    direct: [] as number[],
    proxy: [] as number[],
    dLat: [] as number[],
    pLat: [] as number[],
    dP99: [] as number[],
    pP99: [] as number[],
  };
  for (let r = 0; r < ROUNDS; r++) {
    rows.direct.push(await throughput(direct));
    rows.proxy.push(await throughput(proxied));
    const d = await latency(direct);
    const p = await latency(proxied);
    rows.dLat.push(d.p50);
    rows.pLat.push(p.p50);
    rows.dP99.push(d.p99);
    rows.pP99.push(p.p99);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ops = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(
    `4 redis-server + nutcracker (ketama, fnv1a_64); ${REQUESTS} GETs x ${ROUNDS} interleaved rounds, median`,
  );
  console.log(
    `  rounds: direct ${rows.direct.map(ops).join(' / ')}; proxy ${rows.proxy.map(ops).join(' / ')}`,
  );
  console.log(
    `GET direct to the shard, ${CALLERS} callers   ${ops(median(rows.direct)).padStart(9)} ops/s  (baseline 1.00x)`,
  );
  console.log(
    `GET through twemproxy, ${CALLERS} callers    ${ops(median(rows.proxy)).padStart(9)} ops/s  ${(median(rows.proxy) / median(rows.direct)).toFixed(2)}x`,
  );
  console.log(
    `one caller, round trip: direct p50 ${median(rows.dLat).toFixed(3)} ms p99 ${median(rows.dP99).toFixed(3)} ms; ` +
      `proxy p50 ${median(rows.pLat).toFixed(3)} ms p99 ${median(rows.pP99).toFixed(3)} ms (+${(median(rows.pLat) - median(rows.dLat)).toFixed(3)} ms a GET)`,
  );
  direct.disconnect();
  proxied.disconnect();
}

try {
  await main();
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
