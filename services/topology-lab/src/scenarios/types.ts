/** A guided scenario's declaration and what its steps can do. */
import type { Driver } from '../actions/driver.js';
import type { LabSnapshot } from '../snapshot.js';
import type { CacheClient } from '../sources/cache.js';
import type { RedisSource } from '../sources/redis.js';

/** What scenarios reach besides the lab's actions: the same sources the lab polls. */
export interface ScenarioDeps {
  redis: RedisSource;
  cache: CacheClient | undefined;
  driver: Driver | undefined;
  /** rabbit-pipeline's prefix. */
  prefix: string;
  /** redis-cache's namespace. */
  namespace: string;
}

export interface ScenarioContext {
  deps: ScenarioDeps;
  /** Moves to declared step i (logged with its text). */
  step(i: number): void;
  note(text: string): void;
  passed(text: string): void;
  /** Runs a declared action through the lab (a marker); a failed action fails the run. */
  act(actionId: string): Promise<string>;
  latest(): LabSnapshot;
  /**
   * Polls until `check` returns something (a string is logged as what was seen), or fails the
   * run after `timeoutMs`.
   */
  until<T>(
    what: string,
    check: (s: LabSnapshot) => T | undefined | null | false | Promise<T | undefined | null | false>,
    timeoutMs: number,
  ): Promise<T>;
}

export interface ScenarioDef {
  id: string;
  title: string;
  description: string;
  steps: { say: string; watch: string }[];
  /** Why it cannot run with this snapshot (an action or source missing), or null. */
  missing(s: LabSnapshot, deps: ScenarioDeps): string | null;
  run(ctx: ScenarioContext): Promise<void>;
  /** After a failure: put back what the run changed (start what it stopped). */
  cleanup?(ctx: ScenarioContext): Promise<void>;
}
