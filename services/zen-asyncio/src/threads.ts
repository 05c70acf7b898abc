/**
 * `threads` mode, the book's srv_threaded.py: several threads serve one port. The book's
 * threads all block in accept() on one listening socket; Node's worker threads cannot
 * share a socket handle, so each runs the event-loop server on its own socket bound to
 * the same port with SO_REUSEPORT (Node's `reusePort`), and the kernel spreads new
 * connections between them. Each thread reports its counters to the main thread.
 */
import os from 'node:os';
import { isMainThread, parentPort, threadId, Worker, workerData } from 'node:worker_threads';
import { createLogger, type Logger, NetworkError } from '@fopnp/net';
import type { ZenLimits } from './config.js';
import { createZenServer } from './server.js';
import { emptyStats, sumStats, type ZenStats } from './stats.js';

const STATS_INTERVAL_MS = 1_000;

interface ThreadData {
  zenThread: true;
  host: string;
  port: number;
  limits: ZenLimits;
  logLevel: string;
}

type ThreadMessage =
  | { type: 'listening'; port: number }
  | { type: 'failed'; message: string }
  | { type: 'stats'; stats: ZenStats };

export interface ThreadsOptions {
  host: string;
  port: number;
  /** 0 = one per core (os.availableParallelism()). */
  threads: number;
  limits: ZenLimits;
  logger: Logger;
}

export interface RunningThreads {
  port: number;
  threads: number;
  stats(): ZenStats;
  close(): Promise<void>;
}

/** Starts the threads (the first picks the port when it is 0) and resolves once all listen. */
export async function startThreads(options: ThreadsOptions): Promise<RunningThreads> {
  const count = options.threads > 0 ? options.threads : os.availableParallelism();
  const latest = new Map<number, ZenStats>();
  const workers: Worker[] = [];
  const start = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const data: ThreadData = {
        zenThread: true,
        host: options.host,
        port,
        limits: options.limits,
        logLevel: options.logger.level,
      };
      const worker = new Worker(new URL(import.meta.url), { workerData: data });
      workers.push(worker);
      worker.on('message', (msg: ThreadMessage) => {
        if (msg.type === 'listening') resolve(msg.port);
        else if (msg.type === 'failed') reject(new NetworkError(msg.message));
        else latest.set(worker.threadId, msg.stats);
      });
      worker.once('error', reject);
      worker.once('exit', () => latest.delete(worker.threadId));
    });
  const close = async () => {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            w.postMessage('close');
            setTimeout(() => void w.terminate(), 5_000).unref();
          }),
      ),
    );
  };
  try {
    const port = await start(options.port);
    await Promise.all(Array.from({ length: count - 1 }, () => start(port)));
    options.logger.info({ threads: count, port }, 'all threads listening');
    return { port, threads: count, stats: () => sumStats(latest.values()), close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The thread side: a loop-mode server on a SO_REUSEPORT socket of the shared port. */
async function runThread(data: ThreadData): Promise<void> {
  const port = parentPort!;
  const logger = createLogger('zen-asyncio', { level: data.logLevel }).child({ thread: threadId });
  const stats = emptyStats();
  const zen = createZenServer({ mode: 'loop', ...data.limits, logger, stats });
  try {
    const address = await zen.listen(data.port, data.host, 4096, { reusePort: true });
    port.postMessage({ type: 'listening', port: address.port } satisfies ThreadMessage);
  } catch (err) {
    port.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    return;
  }
  const timer = setInterval(
    () => port.postMessage({ type: 'stats', stats } satisfies ThreadMessage),
    STATS_INTERVAL_MS,
  );
  port.on('message', async (msg) => {
    if (msg !== 'close') return;
    clearInterval(timer);
    await zen.close();
    port.close();
  });
}

if (!isMainThread && (workerData as Partial<ThreadData> | undefined)?.zenThread) {
  void runThread(workerData as ThreadData);
}
