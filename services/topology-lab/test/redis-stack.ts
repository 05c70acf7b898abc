/**
 * Redis for the lab's sharding and cluster tests: four shards and a six-node Redis Cluster
 * (three masters, three replicas, formed by `redis-cli --cluster create`), each a
 * redis-server on free ports in a temp dir, run as units of the lab's own ProcessControl
 * behind its control endpoint (so the page can stop and kill them, as under the stack), and
 * the lab's `serve` watching them. Everything is stopped in `stop()`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, listen } from '@fopnp/net';
import {
  cliTestKit,
  freePort,
  run,
  type ServeProcess,
  sleep,
  startServe,
  waitForHttp,
  waitForPort,
} from '@fopnp/net/testing';
import { createControlServer } from '../src/control/endpoint.js';
import { ProcessControl, type UnitSpec } from '../src/control/units.js';
import { AMQP_URL, LAB_CLI, redisUnit } from './stack.js';

const CACHE_CLI = cliTestKit(new URL('../../redis-cache/test/', import.meta.url).href).CLI;

export interface RedisLabStack {
  dir: string;
  shardPorts: number[];
  clusterPorts: number[];
  control: ProcessControl;
  lab: ServeProcess;
  /** redis-cache serve, sharded (jump) over the four shards. */
  cache: ServeProcess;
  namespace: string;
  cli(port: number, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function cli(port: number, ...args: string[]): Promise<string> {
  const r = await run('redis-cli', ['-p', String(port), ...args], { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`redis-cli -p ${port} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout.trim();
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export async function startRedisLab(): Promise<RedisLabStack> {
  const dir = mkdtempSync(join(tmpdir(), 'topology-lab-redis-'));
  const shardPorts: number[] = [];
  const clusterPorts: number[] = [];
  for (let i = 0; i < 4; i++) shardPorts.push(await freePort());
  const units: UnitSpec[] = shardPorts.map((p, i) => redisUnit(`redis-shard-${i}`, p, dir));
  for (let i = 0; i < 6; i++) {
    const port = await freePort();
    // The bus port defaults to port + 10000, which may be taken: choose it too.
    const bus = await freePort();
    clusterPorts.push(port);
    units.push(
      redisUnit(`redis-node-${i}`, port, dir, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '1000',
        '--cluster-port',
        String(bus),
      ]),
    );
  }
  const control = new ProcessControl(units, createLogger('test-control', { level: 'warn' }));
  control.startInitial();
  let lab: ServeProcess | undefined;
  let cache: ServeProcess | undefined;
  const controlToken = randomBytes(16).toString('hex');
  const server = createControlServer(control, controlToken);
  const stop = async () => {
    await lab?.proc.stop();
    await cache?.proc.stop();
    await control.stopAll();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all([...shardPorts, ...clusterPorts].map((p) => waitForPort(p, '127.0.0.1', 10_000)));
    const create = await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...clusterPorts.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { timeoutMs: 30_000 },
    );
    if (create.code !== 0 || !/All 16384 slots covered/.test(create.stdout))
      throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    await until(
      'cluster_state:ok on every node',
      async () =>
        (await Promise.all(clusterPorts.map((p) => cli(p, 'cluster', 'info')))).every((t) =>
          t.includes('cluster_state:ok'),
        ),
      20_000,
    );
    const controlPort = await listen(server, 0, '127.0.0.1');
    const namespace = `tl-test-${process.pid}`;
    cache = await startServe(CACHE_CLI, {
      CACHE_TOPOLOGY: 'sharded',
      REDIS_SHARDS: shardPorts.map((p) => `redis://127.0.0.1:${p}`).join(','),
      SHARD_STRATEGY: 'jump',
      CACHE_NAMESPACE: namespace,
      DEMO_LOADER_DELAY_MS: '50',
      REDIS_OP_TIMEOUT_MS: '500',
      LOG_LEVEL: 'warn',
    });
    await waitForHttp(`${cache.healthUrl}/readyz`, { timeoutMs: 20_000 });
    lab = await startServe(LAB_CLI, {
      REDIS_CACHE_URL: cache.url,
      // No pipeline here: a broker prefix nothing uses, and no tally.
      RABBITMQ_MANAGEMENT_URL: 'http://guest:guest@127.0.0.1:15672',
      AMQP_URL,
      AMQP_PREFIX: `tl-none-${process.pid}`,
      REDIS_URL: `redis://127.0.0.1:${clusterPorts[0]}`,
      REDIS_SHARDS: shardPorts.map((p) => `redis://127.0.0.1:${p}`).join(','),
      CACHE_NAMESPACE: namespace,
      TALLY_URL: `http://127.0.0.1:${await freePort()}`,
      STACK_CONTROL_URL: `http://127.0.0.1:${controlPort}`,
      STACK_CONTROL_TOKEN: controlToken,
      POLL_MS: '500',
      LOG_LEVEL: 'warn',
    });
    await waitForHttp(`${lab.healthUrl}/readyz`, { timeoutMs: 45_000 });
    return { dir, shardPorts, clusterPorts, control, lab, cache, namespace, cli, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
