/**
 * A RabbitMQ cluster of N nodes on this machine, for tests, benchmarks and the local stack's
 * mq-cluster profile: each node its own Erlang VM
 * with a distinct RABBITMQ_NODENAME, AMQP port (RABBITMQ_NODE_PORT) and distribution port
 * (RABBITMQ_DIST_PORT), all free loopback ports; mnesia, logs, config and the shared Erlang
 * cookie (in a HOME of their own) under one temp dir; no plugins (no management port to
 * collide on). Node 1 boots, the others boot and `rabbitmqctl join_cluster` it. The
 * shared broker on 5672 and its epmd on 4369 are left alone: the nodes register with
 * that epmd under their own names.
 *
 * Every process is started in its own process group and killed with it; `stop()` (and a
 * process 'exit' hook, for a test run that dies) kills every group and removes the dir.
 * The VMs run with one scheduler each (+S 1:1) and without busy-waiting: three of them
 * share two cores with everything else here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, run, waitForPort } from './index.js';

const RABBIT_BIN = '/usr/lib/rabbitmq/bin';

export interface RabbitClusterNode {
  index: number;
  /** Erlang node name, e.g. rp-a1b2-1@localhost. */
  name: string;
  amqpPort: number;
  distPort: number;
  url: string;
  /** The shell running rabbitmq-server (leader of the node's process group). */
  proc: ChildProcess | undefined;
}

const live = new Set<RabbitCluster>();
process.on('exit', () => {
  for (const c of [...live]) c.stopNow();
});

export interface RabbitClusterOptions {
  /** Nodes. @default 3 */
  size?: number;
  /** AMQP ports, one a node. @default free ports */
  amqpPorts?: number[];
  /** Erlang distribution ports, one a node. @default free ports */
  distPorts?: number[];
  /** Node names are `<namePrefix>-<random tag>-<n>@localhost`. @default 'rp' */
  namePrefix?: string;
}

export class RabbitCluster {
  readonly nodes: RabbitClusterNode[] = [];
  /** How long booting the nodes and joining them took. */
  readonly timings = { bootMs: 0, joinMs: 0 };
  private constructor(
    readonly dir: string,
    readonly tag: string,
  ) {}

  /** Starts the nodes and clusters them; throws (after cleaning up) if any fails. */
  static async start(options: RabbitClusterOptions = {}): Promise<RabbitCluster> {
    const size = options.size ?? 3;
    const dir = await mkdtemp(path.join(tmpdir(), 'rp-cluster-'));
    const tag = path
      .basename(dir)
      .slice('rp-cluster-'.length)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '');
    const cluster = new RabbitCluster(dir, tag);
    live.add(cluster);
    try {
      await mkdir(path.join(dir, 'home'));
      const cookie = path.join(dir, 'home', '.erlang.cookie');
      await writeFile(cookie, `RPCLUSTER${tag.toUpperCase()}COOKIE`);
      await chmod(cookie, 0o400);
      await writeFile(path.join(dir, 'enabled_plugins'), '[].\n');
      await writeFile(path.join(dir, 'rabbitmq-env.conf'), '');
      for (let i = 1; i <= size; i++) {
        const amqpPort = options.amqpPorts?.[i - 1] ?? (await freePort());
        const distPort = options.distPorts?.[i - 1] ?? (await freePort());
        const name = `${options.namePrefix ?? 'rp'}-${tag}-${i}@localhost`;
        cluster.nodes.push({
          index: i,
          name,
          amqpPort,
          distPort,
          url: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
          proc: undefined,
        });
        await writeFile(
          path.join(dir, `node${i}.conf`),
          [
            `listeners.tcp.local = 127.0.0.1:${amqpPort}`,
            'loopback_users.guest = true',
            // A node that cannot see a majority pauses instead of diverging.
            'cluster_partition_handling = pause_minority',
            'log.console = true',
            'log.console.level = warning',
            'log.file = false',
            '',
          ].join('\n'),
        );
      }
      const t0 = Date.now();
      await Promise.all(cluster.nodes.map((n) => cluster.startNode(n.index)));
      cluster.timings.bootMs = Date.now() - t0;
      // The others join node 1 side by side (each rabbitmqctl is an Erlang VM of its own:
      // seconds apiece on a busy machine).
      await Promise.all(
        cluster.nodes.slice(1).map(async (n) => {
          await cluster.ctl(n.index, ['stop_app']);
          await cluster.ctl(n.index, ['join_cluster', cluster.nodes[0]!.name]);
          await cluster.ctl(n.index, ['start_app']);
        }),
      );
      cluster.timings.joinMs = Date.now() - t0 - cluster.timings.bootMs;
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  /** All nodes' URLs, comma-separated: what the pipeline's AMQP_URL takes for a cluster. */
  get urls(): string {
    return this.nodes.map((n) => n.url).join(',');
  }

  node(i: number): RabbitClusterNode {
    return this.nodes[i - 1]!;
  }

  private env(n: RabbitClusterNode): NodeJS.ProcessEnv {
    const d = this.dir;
    return {
      HOME: path.join(d, 'home'),
      RABBITMQ_NODENAME: n.name,
      RABBITMQ_NODE_PORT: String(n.amqpPort),
      RABBITMQ_DIST_PORT: String(n.distPort),
      RABBITMQ_MNESIA_BASE: path.join(d, 'mnesia'),
      RABBITMQ_LOG_BASE: path.join(d, 'log'),
      RABBITMQ_CONFIG_FILE: path.join(d, `node${n.index}.conf`),
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(d, 'enabled_plugins'),
      RABBITMQ_CONF_ENV_FILE: path.join(d, 'rabbitmq-env.conf'),
      RABBITMQ_PID_FILE: path.join(d, `node${n.index}.pid`),
      ERL_CRASH_DUMP_SECONDS: '0',
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS:
        '+S 1:1 +sbwt none +sbwtdcpu none +sbwtdio none -kernel inet_dist_use_interface {127,0,0,1}',
    };
  }

  /** rabbitmqctl against node i, with the cluster's cookie (the packaged wrapper would su to rabbitmq). */
  async ctl(i: number, args: string[], timeoutMs = 120_000): Promise<string> {
    const n = this.node(i);
    const r = await run(path.join(RABBIT_BIN, 'rabbitmqctl'), ['-n', n.name, '-q', ...args], {
      env: this.ctlEnv,
      cwd: this.dir,
      timeoutMs,
    });
    if (r.code !== 0)
      throw new Error(
        `rabbitmqctl -n ${n.name} ${args.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`,
      );
    return r.stdout;
  }

  /** The environment a rabbitmqctl needs to reach this cluster (for the CLI's `leaders`). */
  get ctlEnv(): NodeJS.ProcessEnv {
    // No erl_crash.dump from a CLI VM cut short by stop() (it would land in the cwd).
    return { HOME: path.join(this.dir, 'home'), ERL_CRASH_DUMP_SECONDS: '0' };
  }

  /** Boots node i (again, after a kill: it rejoins the cluster from its own mnesia) and waits for it. */
  async startNode(i: number): Promise<void> {
    const n = this.node(i);
    const proc = spawn(path.join(RABBIT_BIN, 'rabbitmq-server'), [], {
      env: { ...process.env, ...this.env(n) },
      cwd: this.dir,
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    n.proc = proc;
    proc.unref();
    // The AMQP listener opens last in a boot: polling it is cheaper than rabbitmqctl
    // (a VM per call); one await_startup then confirms the node itself.
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`node ${n.name} exited (${code}) while starting`))),
    );
    exited.catch(() => {});
    await Promise.race([waitForPort(n.amqpPort, '127.0.0.1', 180_000), exited]);
    await this.ctl(i, ['await_startup', '--timeout', '60'], 90_000);
  }

  /** The Erlang VM's pid of node i. */
  async pidOf(i: number): Promise<number> {
    return Number((await this.ctl(i, ['eval', 'list_to_integer(os:getpid()).'])).trim());
  }

  /** SIGKILLs node i's VM (no clean shutdown: a crash) and its process group. */
  async killNode(i: number): Promise<void> {
    const n = this.node(i);
    const pid = await this.pidOf(i);
    process.kill(pid, 'SIGKILL');
    this.killGroup(n);
    n.proc = undefined;
  }

  private killGroup(n: RabbitClusterNode): void {
    const pid = n.proc?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Synchronous: for the process 'exit' hook. */
  killAllNow(): void {
    for (const n of this.nodes) this.killGroup(n);
  }

  /** Kills every node and removes the temp dir, synchronously (for callers that cannot wait). */
  stopNow(): void {
    this.killAllNow();
    live.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    this.killAllNow();
    live.delete(this);
    // The VMs' children (erl_child_setup, inet_gethost) are in the same groups; give the
    // kernel a moment before removing the dir they had open.
    await new Promise((r) => setTimeout(r, 200));
    await rm(this.dir, { recursive: true, force: true });
  }
}
