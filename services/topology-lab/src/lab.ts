/**
 * The lab's core: one poll of everything per interval, whatever the number of open pages
 * (each page subscribes to the result), a short history for the pi chart and the action
 * markers, and the actions themselves through the driver.
 */
import { type Logger, withTimeout } from '@fopnp/net';
import { pipelineNames } from '@fopnp/rabbit-pipeline';
import type { Driver } from './actions/driver.js';
import { masterToKill, nodeToRestart } from './cluster-actions.js';
import { LabError } from './errors.js';
import { SCENARIOS } from './scenarios/catalog.js';
import { ScenarioRunner } from './scenarios/runner.js';
import type { Sharding } from './sharding.js';
import type {
  AccountingView,
  ActionMarker,
  ActionView,
  LabHello,
  LabSnapshot,
  PiSample,
  RabbitView,
  TallyView,
  WhereView,
} from './snapshot.js';
import { CacheClient } from './sources/cache.js';
import { describeError } from './sources/http.js';
import { pipelineFlows } from './sources/pipeline.js';
import type { RabbitSource } from './sources/rabbitmq.js';
import type { RedisSource } from './sources/redis.js';
import { pollTally, type ServicesSource } from './sources/services.js';

/** Actions the lab runs itself, over its own AMQP connection. */
export const LAB_ACTIONS = {
  malformed: {
    id: 'pipeline.malformed',
    label: 'publish a malformed point',
    description: 'a point no judge can parse: it goes to the dead-letter queue',
  },
  movement: {
    id: 'shards.movement',
    label: 'measure key movement on adding the last shard',
    description:
      'writes 2,000 words through the first N−1 shards under each strategy, reads them through all N: the share that moved',
  },
  killMaster: {
    id: 'cluster.kill-master',
    label: 'SIGKILL a cluster master',
    description:
      'the master owning slot 0 dies without a goodbye: the cluster marks it failed and promotes its replica',
  },
  restartNode: {
    id: 'cluster.restart-node',
    label: 'start the killed cluster node again',
    description: 'the node the lab killed comes back and rejoins the cluster as a replica',
  },
  closeJudge: {
    id: 'pipeline.close-judge-connection',
    label: "close a judge's AMQP connection",
    description:
      'the broker closes the connection of a judge consuming the judge queue; the judge reconnects',
  },
} as const satisfies Record<string, ActionView>;

export type LabEvent = { type: 'state'; data: LabSnapshot } | { type: 'marker'; data: ActionMarker };
export type Subscriber = (e: LabEvent) => void;

export interface LabOptions {
  rabbit: RabbitSource;
  redis: RedisSource;
  sharding: Sharding;
  /** redis-cache's HTTP API, for its /stats and the "Redis down" scenario. */
  cache?: CacheClient | undefined;
  services: ServicesSource;
  tallyUrl: string;
  managementUiPort: number;
  driver: Driver | undefined;
  /** No actions at all (LAB_READ_ONLY): the page only shows. */
  readOnly?: boolean;
  pollMs: number;
  logger: Logger;
  /** Called after each poll with its duration (metrics). */
  onPoll?: (ms: number) => void;
}

const PI_HISTORY = 900;
const MARKERS = 100;
/** With no page open the lab still polls, slowly, so /api/state stays fresh. */
const IDLE_FACTOR = 5;
/** How long a shutdown waits for the poll in flight (each source has its own 2 s deadline). */
const CLOSE_WAIT_MS = 3_000;

export class Lab {
  private snapshot: LabSnapshot | null = null;
  private readonly pi: PiSample[] = [];
  private readonly markers: ActionMarker[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  /** A poll asked for while one ran, and its waiters. */
  private next: Promise<void> | undefined;
  private nextDone: (() => void) | undefined;
  private closed = false;
  /** The unit cluster.kill-master stopped, for cluster.restart-node. */
  private killedNode: string | null = null;

  readonly scenarios: ScenarioRunner;

  constructor(private readonly o: LabOptions) {
    this.scenarios = new ScenarioRunner(
      SCENARIOS,
      this,
      {
        redis: o.redis,
        cache: o.cache,
        driver: o.driver,
        prefix: o.rabbit.prefix,
        namespace: o.sharding.namespace,
      },
      o.logger,
    );
  }

  /** Starts a declared scenario (not on a read-only lab); its run is in every snapshot. */
  startScenario(id: string) {
    if (this.o.readOnly) throw new LabError('ACTIONS_OFF', 'the lab is read-only (LAB_READ_ONLY=true)');
    const run = this.scenarios.start(id);
    void this.pollSoon();
    return run;
  }

  get latest(): LabSnapshot | null {
    return this.snapshot;
  }
  get clients(): number {
    return this.subscribers.size;
  }
  /** The lab's own actions need no driver, so actions are there unless the lab is read-only. */
  get actionsEnabled(): boolean {
    return !this.o.readOnly;
  }

  /**
   * The latest snapshot if it is younger than one interval; otherwise a new poll (shared
   * with any other caller waiting), so /api/state is fresh even while no page is open.
   */
  async fresh(): Promise<LabSnapshot | null> {
    if (!this.snapshot || Date.now() - this.snapshot.at > this.o.pollMs) await this.pollSoon();
    return this.snapshot;
  }

  hello(actionsAllowed: boolean): LabHello {
    return { snapshot: this.snapshot, pi: [...this.pi], markers: [...this.markers], actionsAllowed };
  }

  subscribe(fn: Subscriber): () => void {
    const wasIdle = this.subscribers.size === 0;
    this.subscribers.add(fn);
    if (wasIdle) this.pollSoon(); // a first page gets fresh numbers at once, not after an idle wait
    return () => this.subscribers.delete(fn);
  }

  start(): void {
    this.pollSoon();
  }

  /**
   * Polls now, or right after the poll in progress (which began before whatever the
   * caller wants to see), then on the interval again. Resolves when that poll is done.
   */
  pollSoon(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.polling) {
      this.next ??= new Promise<void>((resolve) => {
        this.nextDone = resolve;
      });
      return this.next;
    }
    clearTimeout(this.timer);
    this.polling = this.pollOnce().finally(() => {
      this.polling = undefined;
      if (this.closed) {
        this.nextDone?.();
        return;
      }
      if (this.next) {
        const done = this.nextDone!;
        this.next = undefined;
        this.nextDone = undefined;
        void this.pollSoon().then(done);
        return;
      }
      const wait = this.subscribers.size > 0 ? this.o.pollMs : this.o.pollMs * IDLE_FACTOR;
      this.timer = setTimeout(() => void this.pollSoon(), wait);
    });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const t0 = performance.now();
    const { rabbit, redis, services, driver } = this.o;
    const [rabbitmq, redisNodes, serviceViews, tally, control, cache] = await Promise.all([
      rabbit.poll(),
      redis.poll(),
      services.poll(),
      pollTally(this.o.tallyUrl),
      driver
        ? driver.describe().then(
            (d) => ({ health: 'up' as const, error: null, ...d }),
            (err) => ({ health: 'down' as const, error: describeError(err), processes: [], actions: [] }),
          )
        : Promise.resolve({
            health: 'unknown' as const,
            error: 'no control endpoint configured',
            processes: [],
            actions: [] as ActionView[],
          }),
      this.o.cache ? this.o.cache.stats() : Promise.resolve(CacheClient.down()),
    ]);
    // The lab's own actions (through the broker or the shards, no orchestrator needed) come first.
    const own: ActionView[] = [];
    if (rabbitmq.health === 'up') own.push(LAB_ACTIONS.malformed, LAB_ACTIONS.closeJudge);
    if (this.o.sharding.shards.length >= 2) own.push(LAB_ACTIONS.movement);
    if (driver && masterToKill(redisNodes, control.processes)) own.push(LAB_ACTIONS.killMaster);
    if (driver && nodeToRestart(control.processes, this.killedNode)) own.push(LAB_ACTIONS.restartNode);
    control.actions = [...own, ...control.actions];
    if (this.o.readOnly) {
      control.actions = [];
      control.error = 'read-only lab (LAB_READ_ONLY): no actions';
    }
    const took = performance.now() - t0;
    this.o.onPoll?.(took);
    const snap: LabSnapshot = {
      at: Date.now(),
      pollMs: this.o.pollMs,
      pollTookMs: Math.round(took),
      rabbitmq,
      managementUiPort: this.o.managementUiPort,
      redis: redisNodes,
      services: serviceViews,
      pipeline: {
        prefix: rabbit.prefix,
        tally,
        flows: pipelineFlows(rabbit.prefix),
        accounting: accountingOf(rabbit.prefix, rabbitmq, tally),
      },
      sharding: {
        namespace: this.o.sharding.namespace,
        shards: this.o.sharding.shards,
        movement: this.o.sharding.lastMovement,
      },
      cache,
      scenarios: { list: [], run: null },
      control,
    };
    snap.scenarios = {
      list: this.scenarios
        .list(snap)
        .map((x) => (this.o.readOnly ? { ...x, missing: 'read-only lab (LAB_READ_ONLY)' } : x)),
      run: this.scenarios.current,
    };
    this.snapshot = snap;
    if (tally.health === 'up' && tally.estimate !== null) {
      const last = this.pi.at(-1);
      if (!last || last.count !== tally.count) {
        this.pi.push({ at: snap.at, count: tally.count, estimate: tally.estimate });
        if (this.pi.length > PI_HISTORY) this.pi.shift();
      }
    }
    this.emit({ type: 'state', data: snap });
  }

  private emit(e: LabEvent): void {
    for (const s of this.subscribers) {
      try {
        s(e);
      } catch (err) {
        this.o.logger.warn({ err: describeError(err) }, 'subscriber failed');
      }
    }
  }

  private async runOwn(id: (typeof LAB_ACTIONS)[keyof typeof LAB_ACTIONS]['id']): Promise<string> {
    const rabbit = this.o.rabbit;
    switch (id) {
      case LAB_ACTIONS.malformed.id:
        return rabbit.publishMalformed();
      case LAB_ACTIONS.closeJudge.id:
        return rabbit.closeConnectionOf(pipelineNames(rabbit.prefix).judge);
      case LAB_ACTIONS.killMaster.id: {
        const target = masterToKill(this.snapshot?.redis ?? [], this.snapshot?.control.processes ?? []);
        if (!target || !this.o.driver) throw new Error('no live cluster master under this orchestrator');
        const detail = await this.o.driver.stopUnit(target.unit, 'SIGKILL');
        this.killedNode = target.unit;
        return `master ${target.address}: ${detail}`;
      }
      case LAB_ACTIONS.restartNode.id: {
        const unit = nodeToRestart(this.snapshot?.control.processes ?? [], this.killedNode);
        if (!unit || !this.o.driver) throw new Error('no killed cluster node to start');
        return this.o.driver.startUnit(unit);
      }
      case LAB_ACTIONS.movement.id: {
        const m = await this.o.sharding.measureMovement();
        const r = m.rows[0]!;
        return `${r.loaded} keys per strategy, ${r.from} → ${r.to} shards: ${m.rows
          .map((x) => `${x.strategy} ${(x.share * 100).toFixed(1)} %`)
          .join(', ')} moved (${(m.tookMs / 1000).toFixed(1)} s)`;
      }
    }
  }

  /** Which shard or cluster node holds `key` (checked by the caller). */
  where(key: string): Promise<WhereView> {
    return this.o.sharding.where(key, this.snapshot?.redis ?? []);
  }

  /** Runs a declared action, leaves a marker, and polls at once so the page sees the effect. */
  async act(actionId: string): Promise<ActionMarker> {
    if (this.o.readOnly) throw new LabError('ACTIONS_OFF', 'the lab is read-only (LAB_READ_ONLY=true)');
    const driver = this.o.driver;
    const own = Object.values(LAB_ACTIONS).find((a) => a.id === actionId);
    if (!driver && !own)
      throw new LabError('ACTIONS_OFF', 'no control endpoint (STACK_CONTROL_URL) configured');
    const label = own
      ? own.label
      : (this.snapshot?.control.actions.find((a) => a.id === actionId)?.label ?? actionId);
    let marker: ActionMarker;
    try {
      const detail = own ? await this.runOwn(own.id) : await driver!.run(actionId);
      marker = { at: Date.now(), actionId, label, ok: true, detail };
    } catch (err) {
      if (err instanceof LabError && err.which === 'NO_ACTION') throw err;
      marker = { at: Date.now(), actionId, label, ok: false, detail: describeError(err) };
    }
    this.markers.push(marker);
    if (this.markers.length > MARKERS) this.markers.shift();
    this.o.logger.info(marker, 'action');
    this.emit({ type: 'marker', data: marker });
    await this.pollSoon();
    return marker;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    // Every source has its own deadline, so a poll in flight ends; the bound is for what
    // none of them foresaw: a shutdown is never held by a poll past it.
    await withTimeout(this.polling ?? Promise.resolve(), CLOSE_WAIT_MS, 'the poll in flight').catch((err) =>
      this.o.logger.warn({ err: describeError(err) }, 'closing without waiting for the poll in flight'),
    );
    this.subscribers.clear();
    await Promise.all([this.o.rabbit.close(), this.o.redis.close()]);
  }
}

/** The broker's counts along the pipeline beside tally's: published against counted. */
export function accountingOf(prefix: string, r: RabbitView, tally: TallyView): AccountingView {
  const n = pipelineNames(prefix);
  const up = r.health === 'up';
  const q = (name: string) => r.queues.find((x) => x.name === name);
  const points = r.exchanges.find((x) => x.name === n.points);
  const moving = [n.alwaysYes, n.judge, n.decisions].map(q);
  const inQueues = moving.every((x) => x?.ready != null && x.unacked != null)
    ? moving.reduce((sum, x) => sum + x!.ready! + x!.unacked!, 0)
    : null;
  return {
    published: up ? (points?.publishedIn ?? null) : null,
    publishRate: up ? (points?.publishInRate ?? null) : null,
    alwaysYes: up ? (q(n.alwaysYes)?.acked ?? null) : null,
    judged: up ? (q(n.judge)?.acked ?? null) : null,
    redelivered: up ? (q(n.judge)?.redelivered ?? null) : null,
    tallied: tally.health === 'up' ? tally.count : null,
    deadLetters: up ? (q(n.deadLetters)?.ready ?? null) : null,
    inQueues: up ? inQueues : null,
  };
}
