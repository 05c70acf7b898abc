/**
 * tally's counts on disk, so that a restarted tally goes on from where the last one
 * stopped. The broker forgets a decision once tally acks it, so the count must be on
 * disk first: every handler waits for a checkpoint that covers its decision, and only
 * then is the decision acked. Checkpoints are per batch (every N decisions or M ms,
 * whichever first, one write at a time), never per message, and each is atomic: a temp
 * file is written and fsynced, renamed over the state file, and the directory fsynced,
 * so a crash leaves either the old counts or the new ones, never half a file.
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Logger, silentLogger } from '@fopnp/net';
import { TallyStateError } from './errors.js';
import type { Tally } from './tally.js';

/** What survives a restart; the rate is about this process and starts again. */
export interface TallyCounts {
  count: number;
  inside: number;
  malformed: number;
}

interface StateFile extends TallyCounts {
  version: 1;
  /** The AMQP_PREFIX whose decisions these are: another pipeline's file is refused. */
  prefix: string;
  savedAt: string;
}

/** TALLY_STATE_FILE left empty: one file per prefix in the OS temp directory. */
export function defaultTallyStateFile(prefix: string): string {
  return path.join(os.tmpdir(), `rabbit-pipeline-tally-${prefix}.json`);
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** The saved counts, or undefined when there is no file yet (a first start). */
export async function loadTallyState(file: string, prefix: string): Promise<TallyCounts | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TallyStateError(file, `cannot read it (${(err as Error).message})`, { cause: err });
  }
  let parsed: Partial<StateFile>;
  try {
    parsed = JSON.parse(text) as Partial<StateFile>;
  } catch {
    throw new TallyStateError(file, 'it is not JSON: move it away to start counting from 0');
  }
  const { version, count, inside, malformed } = parsed ?? {};
  if (version !== 1 || !isCount(count) || !isCount(inside) || !isCount(malformed) || inside > count) {
    throw new TallyStateError(file, 'it is not a tally state file (version 1, counts ≥ 0, inside ≤ count)');
  }
  if (parsed.prefix !== prefix) {
    throw new TallyStateError(
      file,
      `it holds the count of prefix "${parsed.prefix}", not "${prefix}": give each pipeline its own TALLY_STATE_FILE`,
    );
  }
  return { count, inside, malformed };
}

/** Replaces `file` with `data` so that a crash at any point leaves the old or the new. */
export async function writeFileAtomically(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // The rename is durable only once the directory entry is.
  const dir = await open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Temp files of writes cut short by a crash (`<file>.<pid>.tmp`): never renamed, garbage. */
async function removeStaleTempFiles(file: string): Promise<void> {
  const base = path.basename(file);
  for (const name of await readdir(path.dirname(file))) {
    const pid = name.startsWith(`${base}.`) && /^(\d+)\.tmp$/.exec(name.slice(base.length + 1))?.[1];
    if (pid && Number(pid) !== process.pid) await rm(path.join(path.dirname(file), name), { force: true });
  }
}

export interface CheckpointOptions {
  file: string;
  prefix: string;
  /** Write as soon as this many decisions wait for a checkpoint. */
  everyDecisions: number;
  /** …or once the oldest waiting decision has waited this long. */
  intervalMs: number;
  logger?: Logger;
}

export class TallyCheckpoints {
  /** Resolvers of decisions recorded in memory and not yet covered by a write. */
  private waiting: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly logger: Logger;
  /** Writes done and the decisions they covered: batching at work. */
  readonly stats = { checkpoints: 0, decisions: 0, failures: 0 };

  constructor(
    private readonly tally: Tally,
    private readonly options: CheckpointOptions,
  ) {
    this.logger = (options.logger ?? silentLogger()).child({ stateFile: options.file });
  }

  /**
   * Loads the saved counts into the tally and writes them back at once, so a state
   * file that cannot be written fails the start, not the first ack.
   */
  async open(): Promise<TallyCounts | undefined> {
    const { file, prefix } = this.options;
    const saved = await loadTallyState(file, prefix);
    if (saved) this.tally.restore(saved);
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await removeStaleTempFiles(file);
      await this.write();
    } catch (err) {
      if (err instanceof TallyStateError) throw err;
      throw new TallyStateError(file, `cannot write it (${(err as Error).message})`, { cause: err });
    }
    this.logger.info({ ...(saved ?? { count: 0 }) }, saved ? 'tally state loaded' : 'tally state created');
    return saved;
  }

  /** Resolves once a checkpoint covers every decision recorded so far: then ack. */
  covered(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (this.waiting.length >= this.options.everyDecisions) this.kick();
      else this.arm();
    });
  }

  /** Something uncovered by a waiting decision changed (malformed): save it soon. */
  touch(): void {
    this.arm();
  }

  /** Final checkpoint. Decisions whose write fails stay unacked (the broker redelivers them). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing; // a failing one gives up at its next retry
    const batch = this.waiting;
    this.waiting = [];
    try {
      await this.write();
      for (const resolve of batch) resolve();
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'final tally checkpoint failed');
    }
  }

  private arm(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => this.kick(), this.options.intervalMs);
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    if (this.writing) {
      this.again = true; // right after the write under way
      return;
    }
    this.writing = this.writeLoop().finally(() => {
      this.writing = undefined;
      if (this.waiting.length > 0) this.arm();
    });
  }

  private async writeLoop(): Promise<void> {
    do {
      this.again = false;
      // Taken in the same turn as the snapshot the write saves: every decision in the
      // batch was recorded before its handler asked to be covered.
      const batch = this.waiting;
      this.waiting = [];
      if (!(await this.writeWithRetries())) {
        // Closed while the disk failed: these decisions are never acked, so the broker
        // gives them to the next tally, which counts them from the last good file.
        return;
      }
      this.stats.checkpoints++;
      this.stats.decisions += batch.length;
      for (const resolve of batch) resolve();
    } while (this.again && !this.closed);
  }

  /**
   * Retries a failing write with backoff for as long as it takes: meanwhile tally holds
   * its prefetch window unacked and takes nothing more, which is the safe way to stall.
   */
  private async writeWithRetries(): Promise<boolean> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        await this.write();
        return true;
      } catch (err) {
        this.stats.failures++;
        this.logger.warn(
          { err: (err as Error).message, retryInMs: delay },
          'tally checkpoint failed: decisions stay unacked until it succeeds',
        );
      }
      await new Promise((r) => setTimeout(r, delay));
      if (this.closed) return false;
    }
  }

  private write(): Promise<void> {
    const { count, inside, malformed } = this.tally;
    const state: StateFile = {
      version: 1,
      prefix: this.options.prefix,
      count,
      inside,
      malformed,
      savedAt: new Date().toISOString(),
    };
    return writeFileAtomically(this.options.file, `${JSON.stringify(state)}\n`);
  }
}
