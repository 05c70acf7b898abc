/**
 * The platform's backing groups on one machine (the variants of a profile name the ones
 * they wait for, see BackingGroup in @fopnp/net): `redis-shards` (four Redis),
 * `redis-cluster` (six nodes formed into a Redis Cluster), `redis-sentinel` (master, two
 * replicas, three sentinels) and `twemproxy` (nutcracker over the four shards), each on
 * ports of its own, and `rabbitmq-cluster` (three RabbitMQ nodes joined into one cluster),
 * which compose's host names are mapped to (LOCAL_PORTS).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BackingGroup, type Logger, twemproxyPoolYaml } from '@fopnp/net';
import { RabbitCluster } from '@fopnp/net/testing';
import { type LocalServer, portOpen, startRedis, waitForPortOpen, waitPid } from './backing.js';

/**
 * Redis Cluster's node timeout here, as compose's (5 s): a killed master's replica takes over
 * in about 7 s instead of the ~19 s of Redis's default 15 s.
 */
export const CLUSTER_NODE_TIMEOUT_MS = 5000;

/** A group's folder in the run's directory (`.stack/run/<group>`), which `down` removes. */
function groupDir(runDir: string, group: string): string {
  const dir = join(runDir, group);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export const SHARD_PORTS = [6391, 6392, 6393, 6394];
export const CLUSTER_PORTS = [7101, 7102, 7103, 7104, 7105, 7106];
/** Sentinel group: master, replica 0, replica 1; then the three sentinels. */
export const SENTINEL_REDIS_PORTS = [6401, 6402, 6403];
export const SENTINEL_PORTS = [26401, 26402, 26403];
export const TWEMPROXY_PORT = 22121;
const TWEMPROXY_STATS_PORT = 22122;
/** AMQP ports of the three local RabbitMQ nodes (their Erlang distribution ports: + 20000). */
export const RABBIT_CLUSTER_PORTS = [5701, 5702, 5703];

/** Compose host names of the backing groups' servers → their port on this machine. */
export const LOCAL_PORTS: Record<string, number> = {
  ...Object.fromEntries(SHARD_PORTS.map((port, i) => [`redis-shard-${i}`, port])),
  ...Object.fromEntries(CLUSTER_PORTS.map((port, i) => [`redis-node-${i}`, port])),
  'redis-sentinel-master': SENTINEL_REDIS_PORTS[0]!,
  'redis-sentinel-replica-0': SENTINEL_REDIS_PORTS[1]!,
  'redis-sentinel-replica-1': SENTINEL_REDIS_PORTS[2]!,
  ...Object.fromEntries(SENTINEL_PORTS.map((port, i) => [`redis-sentinel-${i}`, port])),
  twemproxy: TWEMPROXY_PORT,
  ...Object.fromEntries(RABBIT_CLUSTER_PORTS.map((port, i) => [`rabbitmq-node-${i}`, port])),
};

async function startMany(
  name: string,
  ports: number[],
  dir: string,
  extra: (port: number) => string[],
): Promise<LocalServer[]> {
  const out: LocalServer[] = [];
  for (const [i, port] of ports.entries()) {
    if (await portOpen(port)) {
      out.push({ name: `${name}-${i}`, port, startedHere: false });
      continue;
    }
    const pidFile = join(dir, `redis-${port}.pid`);
    const stop = startRedis(port, ['--pidfile', pidFile, ...extra(port)]);
    if (!stop || !(await waitForPortOpen(port, 10_000))) {
      throw new Error(`could not start redis-server on port ${port}: apt-get install redis-server`);
    }
    const pgid = await waitPid(pidFile);
    out.push({ name: `${name}-${i}`, port, startedHere: true, stop, ...(pgid ? { pgid } : {}) });
  }
  return out;
}

/** Starts (or finds running) the servers of every group the chosen instances wait for. */
export async function startBackingGroups(
  groups: Iterable<BackingGroup>,
  logger: Logger,
  runDir: string,
): Promise<LocalServer[]> {
  const out: LocalServer[] = [];
  for (const group of new Set(groups)) {
    switch (group) {
      case 'redis-shards':
        out.push(...(await startShards(runDir)));
        break;
      case 'redis-cluster':
        out.push(...(await startCluster(logger, groupDir(runDir, group))));
        break;
      case 'redis-sentinel':
        out.push(...(await startSentinelGroup(groupDir(runDir, group))));
        break;
      case 'twemproxy':
        // Its pool is the four shards: start them too (a no-op when already running).
        out.push(...(await startShards(runDir)), await startTwemproxy(groupDir(runDir, group)));
        break;
      case 'rabbitmq-cluster':
        out.push(...(await startRabbitCluster(logger)));
        break;
    }
  }
  return out;
}

/** A master, two replicas, three sentinels watching it as `fopnp` (compose's sentinel profile, here). */
async function startSentinelGroup(dir: string): Promise<LocalServer[]> {
  const [master, ...replicas] = SENTINEL_REDIS_PORTS as [number, number, number];
  // The run's folder for all of them: a replica's full sync makes the master write an RDB
  // file (save "" or not), which must not land in the working directory.
  const out = await startMany('redis-sentinel-master', [master], dir, () => [
    '--dir',
    dir,
    '--dbfilename',
    `${master}.rdb`,
  ]);
  out.push(
    ...(await startMany('redis-sentinel-replica', replicas, dir, (port) => [
      '--replicaof',
      '127.0.0.1',
      String(master),
      '--dir',
      dir,
      '--dbfilename',
      `${port}.rdb`,
    ])),
  );
  for (const [i, port] of SENTINEL_PORTS.entries()) {
    if (await portOpen(port)) {
      out.push({ name: `redis-sentinel-${i}`, port, startedHere: false });
      continue;
    }
    // Sentinel rewrites its config file: one each, in the group's folder.
    const conf = join(dir, `sentinel-${port}.conf`);
    const pidFile = join(dir, `sentinel-${port}.pid`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        'daemonize yes',
        `pidfile ${pidFile}`,
        `dir ${dir}`,
        `sentinel monitor fopnp 127.0.0.1 ${master} 2`,
        'sentinel down-after-milliseconds fopnp 5000',
        'sentinel failover-timeout fopnp 10000',
        '',
      ].join('\n'),
    );
    const r = spawnSync('redis-sentinel', [conf], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0 || !(await waitForPortOpen(port, 10_000)))
      throw new Error(`could not start redis-sentinel on port ${port}: apt-get install redis-sentinel`);
    const pgid = await waitPid(pidFile);
    out.push({
      name: `redis-sentinel-${i}`,
      port,
      startedHere: true,
      ...(pgid ? { pgid } : {}),
      stop: () =>
        spawnSync('redis-cli', ['-p', String(port), 'shutdown'], { stdio: 'ignore', timeout: 10_000 }),
    });
  }
  return out;
}

/** nutcracker over the four shards: ketama, fnv1a_64, servers named shard0..3 (as compose's). */
async function startTwemproxy(dir: string): Promise<LocalServer> {
  if (await portOpen(TWEMPROXY_PORT)) return { name: 'twemproxy', port: TWEMPROXY_PORT, startedHere: false };
  const conf = join(dir, 'nutcracker.yml');
  writeFileSync(
    conf,
    `${twemproxyPoolYaml(
      `127.0.0.1:${TWEMPROXY_PORT}`,
      SHARD_PORTS.map((port) => `127.0.0.1:${port}`),
    ).join('\n')}\n`,
  );
  const pidFile = join(dir, 'nutcracker.pid');
  const args = ['-d', '-c', conf, '-s', String(TWEMPROXY_STATS_PORT), '-a', '127.0.0.1', '-p', pidFile];
  const r = spawnSync('nutcracker', [...args, '-o', join(dir, 'nutcracker.log')], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (r.status !== 0 || !(await waitForPortOpen(TWEMPROXY_PORT, 10_000)))
    throw new Error(`could not start nutcracker on port ${TWEMPROXY_PORT}: apt-get install nutcracker`);
  const pgid = await waitPid(pidFile);
  return {
    name: 'twemproxy',
    port: TWEMPROXY_PORT,
    startedHere: true,
    ...(pgid ? { pgid } : {}),
    stop: () => {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
      } catch {
        /* already gone */
      }
    },
  };
}

/**
 * Three RabbitMQ nodes on this machine (RabbitCluster of @fopnp/net/testing: own node
 * names, ports, data and cookie in a temp dir; nodes 2 and 3 join node 1), or the ones
 * already answering on RABBIT_CLUSTER_PORTS.
 */
async function startRabbitCluster(logger: Logger): Promise<LocalServer[]> {
  const open = await Promise.all(RABBIT_CLUSTER_PORTS.map((p) => portOpen(p)));
  if (open.every(Boolean))
    return RABBIT_CLUSTER_PORTS.map((port, i) => ({ name: `rabbitmq-node-${i}`, port, startedHere: false }));
  if (!existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server'))
    throw new Error('the mq-cluster profile runs three RabbitMQ nodes here: apt-get install rabbitmq-server');
  logger.info('starting three RabbitMQ nodes and joining them into a cluster (a minute or two)');
  const cluster = await RabbitCluster.start({
    size: RABBIT_CLUSTER_PORTS.length,
    amqpPorts: RABBIT_CLUSTER_PORTS,
    distPorts: RABBIT_CLUSTER_PORTS.map((p) => p + 20_000),
    namePrefix: 'fopnp-mq',
  });
  return cluster.nodes.map((n, i) => ({
    name: `rabbitmq-node-${i}`,
    port: n.amqpPort,
    startedHere: true,
    // One stop for the three: the first call kills every node and removes the data.
    stop: () => cluster.stopNow(),
  }));
}

function startShards(runDir: string): Promise<LocalServer[]> {
  return startMany('redis-shard', SHARD_PORTS, groupDir(runDir, 'redis-shards'), () => []);
}

async function startCluster(logger: Logger, dir: string): Promise<LocalServer[]> {
  logger.info({ dir }, `Redis Cluster nodes keep their data in ${dir} (removed when the stack stops)`);
  const nodes = await startMany('redis-node', CLUSTER_PORTS, dir, (port) => [
    '--cluster-enabled',
    'yes',
    '--cluster-node-timeout',
    String(CLUSTER_NODE_TIMEOUT_MS),
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
