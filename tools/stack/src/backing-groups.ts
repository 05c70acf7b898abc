/**
 * The platform's backing groups on one machine (the variants of a profile name the ones
 * they wait for, see BackingGroup in @fopnp/net): `redis-shards` (four Redis) and
 * `redis-cluster` (six nodes formed into a Redis Cluster), each on ports of its own, which
 * compose's redis-shard-N / redis-node-N host names are mapped to (LOCAL_PORTS).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackingGroup, Logger } from '@fopnp/net';
import { type LocalServer, portOpen, startRedis, waitForPortOpen } from './backing.js';

export const SHARD_PORTS = [6391, 6392, 6393, 6394];
export const CLUSTER_PORTS = [7101, 7102, 7103, 7104, 7105, 7106];

/** Compose host names of the backing groups' servers → their port on this machine. */
export const LOCAL_PORTS: Record<string, number> = {
  ...Object.fromEntries(SHARD_PORTS.map((port, i) => [`redis-shard-${i}`, port])),
  ...Object.fromEntries(CLUSTER_PORTS.map((port, i) => [`redis-node-${i}`, port])),
};

async function startMany(
  name: string,
  ports: number[],
  extra: (port: number) => string[],
): Promise<LocalServer[]> {
  const out: LocalServer[] = [];
  for (const [i, port] of ports.entries()) {
    if (await portOpen(port)) {
      out.push({ name: `${name}-${i}`, port, startedHere: false });
      continue;
    }
    const stop = startRedis(port, extra(port));
    if (!stop || !(await waitForPortOpen(port, 10_000))) {
      throw new Error(`could not start redis-server on port ${port}: apt-get install redis-server`);
    }
    out.push({ name: `${name}-${i}`, port, startedHere: true, stop });
  }
  return out;
}

/** Starts (or finds running) the servers of every group the chosen instances wait for. */
export async function startBackingGroups(
  groups: Iterable<BackingGroup>,
  logger: Logger,
): Promise<LocalServer[]> {
  const out: LocalServer[] = [];
  for (const group of new Set(groups))
    out.push(...(group === 'redis-shards' ? await startShards() : await startCluster(logger)));
  return out;
}

function startShards(): Promise<LocalServer[]> {
  return startMany('redis-shard', SHARD_PORTS, () => []);
}

async function startCluster(logger: Logger): Promise<LocalServer[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fopnp-cluster-'));
  const nodes = await startMany('redis-node', CLUSTER_PORTS, (port) => [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    join(dir, `nodes-${port}.conf`),
    '--dir',
    dir,
  ]);
  const info = spawnSync('redis-cli', ['-p', String(CLUSTER_PORTS[0]), 'cluster', 'info'], {
    encoding: 'utf8',
  });
  if (!info.stdout.includes('cluster_state:ok')) {
    logger.info('forming the Redis Cluster (3 masters, 3 replicas)');
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...CLUSTER_PORTS.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.status !== 0)
      throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
  }
  return nodes;
}
