/**
 * The one interface the lab's actions go through, whatever runs the stack. A driver
 * reports the processes it controls and a fixed list of actions over them; `run` takes
 * only an id from that list.
 */
import type { ActionView, ProcessView } from '../snapshot.js';

export interface DriverState {
  processes: ProcessView[];
  actions: ActionView[];
}

export interface Driver {
  /** 'local-stack', … — shown on the page. */
  readonly name: string;
  describe(): Promise<DriverState>;
  /** Runs a declared action; resolves with one line saying what happened. */
  run(actionId: string): Promise<string>;
  /** Starts a declared unit (the lab's own actions over units it picks: a cluster node). */
  startUnit(unit: string): Promise<string>;
  /** Stops the newest instance of a declared unit with the signal; resolves once it has exited. */
  stopUnit(unit: string, signal: 'SIGTERM' | 'SIGKILL'): Promise<string>;
}

export class ActionError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

/** Verbs the lab offers over a unit, by whether it scales. */
export const SCALABLE_VERBS = {
  add: (u: string) => `add a ${u}`,
  term: (u: string) => `SIGTERM one ${u}`,
  kill: (u: string) => `SIGKILL one ${u}`,
} as const;
export const SINGLE_VERBS = {
  stop: (u: string) => `stop ${u}`,
  start: (u: string) => `start ${u}`,
} as const;
