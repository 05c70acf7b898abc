/**
 * `cluster` mode: the book's pre-forked servers with node:cluster. The primary opens the
 * listening socket and forks one worker per core; every worker runs the event-loop
 * server on that shared port. Node's default on Linux (round robin: the primary accepts
 * and hands each connection to the next worker) is kept because it balances: with
 * NODE_CLUSTER_SCHED_POLICY=none the workers accept on the shared socket themselves, as
 * the book's forked processes do, and we measured 240 vs 764 of 1000 connections.
 *
 * Workers are this same program re-run by node:cluster; `isClusterWorker()` tells the
 * CLI to call `runClusterWorker` instead of starting a primary.
 */
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import { type Logger, NetworkError } from '@fopnp/net';
import type { ZenLimits } from './config.js';
import { createZenServer } from './server.js';
import { emptyStats, sumStats, type ZenStats } from './stats.js';

type WorkerMessage =
  | { type: 'zen-listening'; port: number }
  | { type: 'zen-stats'; stats: ZenStats }
  | { type: 'zen-failed'; message: string };

/** How often workers report their counters to the primary. */
const STATS_INTERVAL_MS = 1_000;
/** A worker dying more often than this many times a minute is a crash loop: stop restarting. */
const MAX_RESTARTS_PER_MINUTE = 10;

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

export interface ClusterOptions {
  host: string;
  port: number;
  /** 0 = one per core (os.availableParallelism()). */
  workers: number;
  logger: Logger;
}

export interface RunningCluster {
  port: number;
  workers: number;
  /** Workers alive now. */
  liveWorkers(): number;
  /** Sum of the counters last reported by every live worker. */
  stats(): ZenStats;
  close(): Promise<void>;
}

/** Forks the workers and resolves once every one is listening. */
export function startClusterPrimary(options: ClusterOptions): Promise<RunningCluster> {
  const { logger } = options;
  const count = options.workers > 0 ? options.workers : os.availableParallelism();
  const latest = new Map<number, ZenStats>();
  const restarts: number[] = [];
  let closing = false;
  let port = options.port;

  return new Promise((resolve, reject) => {
    let listening = 0;
    const fork = () => {
      const worker = cluster.fork();
      worker.on('message', (msg: WorkerMessage) => onMessage(worker, msg));
      return worker;
    };
    const onMessage = (worker: Worker, msg: WorkerMessage) => {
      if (msg.type === 'zen-stats') latest.set(worker.id, msg.stats);
      else if (msg.type === 'zen-failed') {
        closing = true;
        for (const w of Object.values(cluster.workers ?? {})) w?.kill();
        reject(new NetworkError(msg.message)); // printed as one line by the CLI
      } else if (msg.type === 'zen-listening') {
        // Every worker listens with the same (address, port) key, so node:cluster gives
        // them the same handle: with port 0 they all share the one port picked first.
        port = msg.port;
        if (++listening === count) {
          logger.info({ workers: count, port }, 'all cluster workers listening');
          resolve({ port, workers: count, liveWorkers, stats: () => sumStats(latest.values()), close });
        }
      }
    };
    cluster.on('exit', (worker, code, signal) => {
      latest.delete(worker.id);
      if (closing) return;
      const now = Date.now();
      restarts.push(now);
      while (restarts[0]! < now - 60_000) restarts.shift();
      if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
        logger.error({ code, signal }, 'cluster workers keep dying: not restarting any more');
        return;
      }
      logger.error({ worker: worker.process.pid, code, signal }, 'cluster worker died: starting a new one');
      fork();
    });
    for (let i = 0; i < count; i++) fork();
  });

  function liveWorkers(): number {
    return Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead()).length;
  }

  async function close(): Promise<void> {
    closing = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once('exit', () => resolve());
            w.send({ type: 'zen-shutdown' });
            setTimeout(() => w.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
  }
}

/** The worker side: a loop-mode server on the primary's socket, reporting its counters. */
export async function runClusterWorker(options: {
  host: string;
  port: number;
  limits: ZenLimits;
  logger: Logger;
}): Promise<void> {
  const logger = options.logger.child({ worker: cluster.worker?.id });
  const stats = emptyStats();
  const server = createZenServer({ mode: 'loop', ...options.limits, logger, stats });
  const send = (msg: WorkerMessage) => process.send?.(msg);
  try {
    const address = await server.listen(options.port, options.host);
    send({ type: 'zen-listening', port: address.port });
  } catch (err) {
    send({ type: 'zen-failed', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
  const timer = setInterval(() => send({ type: 'zen-stats', stats }), STATS_INTERVAL_MS);
  timer.unref();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    await server.close();
    process.exit(0);
  };
  process.on('message', (msg: { type?: string }) => {
    if (msg?.type === 'zen-shutdown') void stop();
  });
  // Ctrl-C reaches every process of the group; the primary also asks us by message.
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
