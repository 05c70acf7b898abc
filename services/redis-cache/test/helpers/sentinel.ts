/**
 * A real Sentinel group for the tests: a master and two replicas (redis-server) and three
 * `redis-sentinel` processes, all on free ports in temp dirs, with short timeouts so a
 * failover takes a few seconds. Stopped in afterAll and, should the runner die, at exit.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, run, sleep, startProcess, waitForPort } from '@fopnp/net/testing';
import { RedisServer, stopRedisServers } from './redis-servers.js';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export const MASTER_NAME = 'fopnp';

export interface SentinelGroup {
  master: RedisServer;
  replicas: RedisServer[];
  /** host:port of each sentinel */
  sentinels: string[];
  stop(): Promise<void>;
  /** Asks one sentinel where the master is now. */
  masterAddress(): Promise<string | undefined>;
}

export interface SentinelTiming {
  /** How long the master may be silent before a sentinel calls it down. */
  downAfterMs: number;
  failoverTimeoutMs: number;
}

async function startSentinel(masterPort: number, t: SentinelTiming, dirs: string[]) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-cache-sentinel-'));
  dirs.push(dir);
  const conf = join(dir, 'sentinel.conf');
  // Sentinel rewrites its config file (it records what it learns), so it lives in the temp dir.
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${t.downAfterMs}`,
      `sentinel failover-timeout ${MASTER_NAME} ${t.failoverTimeoutMs}`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`,
      '',
    ].join('\n'),
  );
  const proc = startProcess('redis-sentinel', [conf]);
  live.add(proc.child);
  await waitForPort(port, '127.0.0.1', 10_000);
  return { port, child: proc.child };
}

const sentinelCli = async (port: number, ...args: string[]) => {
  const r = await run('redis-cli', ['-p', String(port), ...args], { timeoutMs: 5_000 });
  return r.code === 0 ? r.stdout.trim() : '';
};

export async function startSentinelGroup(t: SentinelTiming): Promise<SentinelGroup> {
  const dirs: string[] = [];
  const servers: RedisServer[] = [];
  const sentinels: { port: number; child: ChildProcess }[] = [];
  const stop = async () => {
    await Promise.all(
      sentinels.map(
        ({ child }) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
            child.once('close', resolve);
            child.kill('SIGKILL');
          }),
      ),
    );
    for (const { child } of sentinels) live.delete(child);
    await stopRedisServers(servers);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    const master = await RedisServer.start();
    servers.push(master);
    for (let i = 0; i < 2; i++)
      servers.push(await RedisServer.start(['--replicaof', '127.0.0.1', String(master.port)]));
    for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(master.port, t, dirs));
    const group: SentinelGroup = {
      master,
      replicas: servers.slice(1),
      sentinels: sentinels.map((s) => `127.0.0.1:${s.port}`),
      stop,
      async masterAddress() {
        for (const s of sentinels) {
          const out = await sentinelCli(s.port, 'SENTINEL', 'get-master-addr-by-name', MASTER_NAME);
          const [host, port] = out.split('\n');
          if (host && port) return `${host}:${port}`;
        }
        return undefined;
      },
    };
    // Ready when the master has both replicas in sync and every sentinel knows both replicas
    // and the two other sentinels (sentinels find each other through the master's hello channel).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const info = await master.cli('INFO', 'replication');
      const synced = (info.match(/^slave\d+:.*state=online/gm) ?? []).length === 2;
      const views = await Promise.all(
        sentinels.map((s) => sentinelCli(s.port, 'SENTINEL', 'master', MASTER_NAME)),
      );
      const known = views.every((v) => /num-slaves\n2\n/.test(v) && /num-other-sentinels\n2\n/.test(v));
      if (synced && known) return group;
      if (Date.now() > deadline)
        throw new Error(`sentinel group not ready in 30 s:\n${info}\n${views.join('\n')}`);
      await sleep(200);
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
