/**
 * Extra Redis processes for the topologies users explore: `sharded` (four shards) and
 * `cluster` (six nodes formed into a Redis Cluster). Ports match what the stack maps
 * compose's redis-shard-N / redis-node-N host names to (see discover.ts LOCAL_PORTS).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@fopnp/net';
import { type LocalServer, portOpen, startRedis, waitForPortOpen } from './backing.js';

export const SHARD_PORTS = [6391, 6392, 6393, 6394];
export const CLUSTER_PORTS = [7101, 7102, 7103, 7104, 7105, 7106];

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

export async function startProfileServers(profile: string, logger: Logger): Promise<LocalServer[]> {
  if (profile === 'sharded') return startMany('redis-shard', SHARD_PORTS, () => []);
  if (profile !== 'cluster') return [];
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
