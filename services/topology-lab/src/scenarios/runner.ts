/**
 * Runs one guided scenario at a time: a declared list of steps, each doing declared actions
 * (through the lab, so each leaves its marker on the charts) and then waiting — on the lab's
 * own polls, bounded — for what the step says to watch. Everything done or seen goes on the
 * run's timeline, with its time since the start; the first check that does not come true
 * within its bound fails the run.
 */
import type { Logger } from '@fopnp/net';
import { LabError } from '../errors.js';
import type { LabSnapshot, ScenarioRunView, ScenarioView } from '../snapshot.js';
import { describeError } from '../sources/http.js';
import type { ScenarioContext, ScenarioDef, ScenarioDeps } from './types.js';

/** What the runner needs of the lab. */
export interface ScenarioHost {
  act(actionId: string): Promise<{ ok: boolean; detail: string; label: string }>;
  pollSoon(): Promise<void>;
  readonly latest: LabSnapshot | null;
}

class StepFailed extends Error {}

export class ScenarioRunner {
  private run: ScenarioRunView | null = null;
  private running: Promise<void> | undefined;

  constructor(
    private readonly defs: readonly ScenarioDef[],
    private readonly host: ScenarioHost,
    private readonly deps: ScenarioDeps,
    private readonly logger: Logger,
  ) {}

  list(s: LabSnapshot): ScenarioView[] {
    return this.defs.map((d) => ({
      id: d.id,
      title: d.title,
      description: d.description,
      steps: d.steps.map((x) => ({ say: x.say, watch: x.watch })),
      missing: d.missing(s, this.deps),
    }));
  }

  get current(): ScenarioRunView | null {
    return this.run ? { ...this.run, timeline: [...this.run.timeline] } : null;
  }

  /** Starts a scenario; resolves once it has started (the run goes on in the background). */
  start(id: string): ScenarioRunView {
    const def = this.defs.find((d) => d.id === id);
    if (!def) throw new LabError('NO_SCENARIO', id, this.defs.map((d) => d.id).join(', '));
    if (this.running) throw new LabError('SCENARIO_BUSY', this.run?.id ?? '?');
    const snap = this.host.latest;
    const missing = snap ? def.missing(snap, this.deps) : 'the first poll has not finished';
    if (missing) throw new LabError('ACTIONS_OFF', `scenario ${id} cannot run here: ${missing}`);
    const run: ScenarioRunView = {
      id,
      title: def.title,
      startedAt: Date.now(),
      endedAt: null,
      state: 'running',
      step: 0,
      timeline: [],
    };
    this.run = run;
    this.running = this.execute(def, run).finally(() => {
      this.running = undefined;
    });
    return this.current!;
  }

  /** Resolves when the scenario running now (if any) has ended. */
  async settled(): Promise<void> {
    await this.running;
  }

  private async execute(def: ScenarioDef, run: ScenarioRunView): Promise<void> {
    const log = (text: string, ok: boolean | null) => {
      const at = Date.now();
      run.timeline.push({ at, sinceMs: at - run.startedAt, step: run.step, text, ok });
    };
    const ctx: ScenarioContext = {
      deps: this.deps,
      step: (i) => {
        run.step = i;
        log(def.steps[i]!.say, null);
      },
      note: (text) => log(text, null),
      passed: (text) => log(text, true),
      act: async (actionId) => {
        const m = await this.host.act(actionId);
        log(`${m.label}: ${m.detail}`, m.ok ? null : false);
        if (!m.ok) throw new StepFailed(`${m.label} failed`);
        return m.detail;
      },
      latest: () => this.host.latest!,
      until: async (what, check, timeoutMs) => {
        const deadline = Date.now() + timeoutMs;
        let lastErr: unknown;
        for (;;) {
          await this.host.pollSoon();
          try {
            const v = await check(this.host.latest!);
            if (v !== undefined && v !== false && v !== null) {
              log(typeof v === 'string' ? v : what, true);
              return v;
            }
          } catch (err) {
            lastErr = err;
          }
          if (Date.now() > deadline) {
            const why = lastErr ? ` (${describeError(lastErr)})` : '';
            log(`not seen within ${timeoutMs / 1000} s: ${what}${why}`, false);
            throw new StepFailed(what);
          }
        }
      },
    };
    try {
      await def.run(ctx);
      run.state = 'passed';
      log('scenario passed', true);
    } catch (err) {
      run.state = 'failed';
      if (!(err instanceof StepFailed)) log(`stopped: ${describeError(err)}`, false);
      this.logger.warn({ scenario: def.id, err: describeError(err) }, 'scenario failed');
      try {
        await def.cleanup?.(ctx);
      } catch (e) {
        log(`clean-up failed: ${describeError(e)}`, false);
      }
    } finally {
      run.endedAt = Date.now();
      await this.host.pollSoon();
    }
  }
}
