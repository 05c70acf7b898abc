/**
 * Real redis-server processes for the sharded and cluster tests: each on free ports, in its
 * own temp dir, with persistence off. Every process started here is killed in afterAll
 * (stopRedisServers) and, should the test runner die first, by a process exit handler.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisServerArgs } from '@fopnp/net';
import { freePort, run, sleep, startProcess, waitForPort } from '@fopnp/net/testing';

const live = new Set<RedisServer>();
process.on('exit', () => {
  for (const s of live) s.child?.kill('SIGKILL');
});

export class RedisServer {
  child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'redis-cache-test-'));
  private stopping: Promise<unknown> | undefined;

  private constructor(
    readonly port: number,
    readonly extraArgs: string[],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(extraArgs: string[] = [], port?: number): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()), extraArgs);
    await server.launch();
    return server;
  }

  /** (Re)starts the process on the same port and dir. */
  async launch(): Promise<void> {
    const proc = startProcess('redis-server', [
      ...redisServerArgs(this.port, { dir: this.dir }),
      '--daemonize',
      'no',
      ...this.extraArgs,
    ]);
    this.child = proc.child;
    this.stopping = undefined;
    live.add(this);
    await waitForPort(this.port, '127.0.0.1', 10_000);
  }

  /** SIGKILL: the crash case (no shutdown, no goodbye to clients or the cluster bus). */
  async kill(): Promise<void> {
    await this.terminate('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.terminate('SIGTERM');
    live.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.stopping ??= new Promise((resolve) => {
      child.once('close', resolve);
      child.kill(signal);
      setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
    });
    await this.stopping;
  }

  /** redis-cli against this server. */
  async cli(...args: string[]): Promise<string> {
    const r = await run('redis-cli', ['-p', String(this.port), ...args], { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`redis-cli ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
    return r.stdout.trim();
  }
}

export async function startRedisServers(n: number): Promise<RedisServer[]> {
  return Promise.all(Array.from({ length: n }, () => RedisServer.start()));
}

export async function stopRedisServers(servers: readonly (RedisServer | undefined)[]): Promise<void> {
  await Promise.all(servers.map((s) => s?.stop()));
}

export interface TestCluster {
  nodes: RedisServer[];
  seeds: string[];
}

/** Six nodes, then `redis-cli --cluster create ... --cluster-replicas 1`: 3 masters, 3 replicas. */
export async function startCluster(nodeTimeoutMs = 1000): Promise<TestCluster> {
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      // The bus port defaults to port+10000, which may be taken or past 65535: pick it too.
      const busPort = await freePort();
      nodes.push(
        await RedisServer.start([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          String(nodeTimeoutMs),
          '--cluster-port',
          String(busPort),
        ]),
      );
    }
    const create = await run(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => n.address), '--cluster-replicas', '1', '--cluster-yes'],
      { timeoutMs: 30_000 },
    );
    if (create.code !== 0 || !/All 16384 slots covered/.test(create.stdout))
      throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    await waitClusterOk(nodes, 20_000);
    await waitReplicationUp(nodes, 20_000);
    return { nodes, seeds: nodes.map((n) => n.address) };
  } catch (err) {
    await stopRedisServers(nodes);
    throw err;
  }
}

/** Polls CLUSTER INFO on the given live nodes until all report cluster_state:ok. */
export async function waitClusterOk(nodes: readonly RedisServer[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(
      nodes.map((n) =>
        n.cli('cluster', 'info').then(
          (t) => /cluster_state:ok/.test(t),
          () => false,
        ),
      ),
    );
    if (states.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`cluster not ok within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** Polls INFO replication until every master has a replica and every replica's link is up. */
async function waitReplicationUp(nodes: readonly RedisServer[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const infos = await Promise.all(nodes.map((n) => n.cli('INFO', 'replication').catch(() => '')));
    const up = infos.every((i) =>
      /role:master/.test(i) ? /connected_slaves:[1-9]/.test(i) : /master_link_status:up/.test(i),
    );
    if (up) return;
    if (Date.now() > deadline) throw new Error(`cluster replication not up within ${timeoutMs} ms`);
    await sleep(200);
  }
}
