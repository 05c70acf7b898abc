/**
 * The work queue with fair dispatch (the RabbitMQ tutorial's "worker.py"): tasks of
 * unequal cost, alternately heavy and light, shared by workers that do one task at a
 * time. With a large prefetch the broker hands tasks out round-robin as they arrive, so
 * one worker gets every heavy task while the other idles; with `prefetch 1` it sends a
 * worker its next task only once it acked the last, so whoever is free takes it. The run
 * measures both on the same queue and prints the difference in numbers.
 */
import { ReliableConsumer } from '../consumer.js';
import { MalformedMessageError } from '../errors.js';
import type { Faults } from '../faults.js';
import type { PatternSession } from './session.js';

export interface WorkQueueOptions {
  /** Tasks per run. @default 40 */
  tasks?: number;
  /** Workers sharing the queue. @default 2 */
  workers?: number;
  /** Cost of an even-numbered task. @default 40 */
  heavyMs?: number;
  /** Cost of an odd-numbered task. @default 4 */
  lightMs?: number;
  /** Retries before a failing task is dead-lettered. @default 3 */
  maxRetries?: number;
  /** Give up waiting for the tasks after this long. @default 60000 */
  timeoutMs?: number;
  /** Slow or faulty workers (LATENCY_MS, FAIL_RATE): failed tasks are retried, then dead-lettered. */
  faults?: Faults;
}

export interface WorkerResult {
  /** Tasks done (acked). */
  tasks: number;
  /** Tasks this worker gave up on after the retries: in the dead-letter queue. */
  deadLettered: number;
  heavy: number;
  /** Time spent working (sleeping for the tasks' costs). */
  busyMs: number;
}

export interface WorkQueueRun {
  prefetch: number;
  /** First publish to the last task acked. */
  makespanMs: number;
  /** What one worker would need if the work were split perfectly: total cost / workers. */
  idealMs: number;
  workers: WorkerResult[];
}

/** A task's body: "<number>:<cost in ms>". */
export function encodeTask(i: number, ms: number): string {
  return `${i}:${ms}`;
}

export function parseTask(body: Buffer, queue: string): { i: number; ms: number } {
  const m = /^(\d+):(\d+)$/.exec(body.toString('utf8'));
  if (!m)
    throw new MalformedMessageError(
      queue,
      `expected "<task>:<ms>", got ${JSON.stringify(body.toString('utf8').slice(0, 40))}`,
    );
  return { i: Number(m[1]), ms: Number(m[2]) };
}

/** Runs the tasks once with the given prefetch and returns who did what, and how long it took. */
export async function runWorkQueue(
  s: PatternSession,
  prefetch: number,
  o: WorkQueueOptions = {},
): Promise<WorkQueueRun> {
  const total = o.tasks ?? 40;
  const heavyMs = o.heavyMs ?? 40;
  const lightMs = o.lightMs ?? 4;
  const queue = s.topology.queues[0]!.name;
  const results: WorkerResult[] = Array.from({ length: o.workers ?? 2 }, () => ({
    tasks: 0,
    deadLettered: 0,
    heavy: 0,
    busyMs: 0,
  }));
  let done = 0;
  let allDone!: () => void;
  const finished = new Promise<void>((r) => {
    allDone = r;
  });
  const workers = await Promise.all(
    results.map((result) => {
      // One task at a time, as a single-threaded worker: deliveries within the prefetch
      // window wait their turn here, unacked, which is what fair dispatch is about.
      let turn = Promise.resolve();
      return new ReliableConsumer(s.broker, {
        queue,
        prefetch,
        publisher: s.publisher,
        maxRetries: o.maxRetries ?? 3,
        ...(o.faults ? { faults: o.faults } : {}),
        ...(s.topology.deadLetterExchange ? { deadLetterExchange: s.topology.deadLetterExchange } : {}),
        logger: s.logger,
        handler(msg) {
          const task = parseTask(msg.content, queue);
          const work = turn.then(async () => {
            const started = performance.now();
            await new Promise((r) => setTimeout(r, task.ms));
            result.busyMs += performance.now() - started;
            result.tasks++;
            if (task.ms === heavyMs) result.heavy++;
          });
          turn = work.catch(() => {});
          return work;
        },
      })
        .on('outcome', (outcome: string) => {
          if (outcome === 'retry') return;
          if (outcome === 'dead-letter') result.deadLettered++;
          if (++done === total) allDone();
        })
        .start();
    }),
  );
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        s.publisher.sendToQueue(queue, Buffer.from(encodeTask(i, i % 2 === 0 ? heavyMs : lightMs))),
      ),
    );
    const timeoutMs = o.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`work queue: ${done} of ${total} tasks done after ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
  const costs = Math.ceil(total / 2) * heavyMs + Math.floor(total / 2) * lightMs;
  return {
    prefetch,
    makespanMs: performance.now() - started,
    idealMs: costs / results.length,
    workers: results,
  };
}

export function formatWorkQueueRuns(runs: WorkQueueRun[]): string {
  const lines = ['prefetch  makespan   ideal    per worker: tasks (heavy) busy'];
  for (const r of runs) {
    const per = r.workers
      .map(
        (w) =>
          `${w.tasks} (${w.heavy}) ${Math.round(w.busyMs)} ms${w.deadLettered ? ` +${w.deadLettered} dead-lettered` : ''}`,
      )
      .join('   ');
    lines.push(
      `${String(r.prefetch).padStart(8)}  ${`${Math.round(r.makespanMs)} ms`.padStart(8)}  ${`${Math.round(r.idealMs)} ms`.padStart(7)}   ${per}`,
    );
  }
  if (runs.length === 2) {
    const [a, b] = runs as [WorkQueueRun, WorkQueueRun];
    lines.push(
      `prefetch ${a.prefetch} finished in ${(a.makespanMs / b.makespanMs).toFixed(2)}× the time of prefetch ${b.prefetch}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
