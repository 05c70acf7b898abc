/**
 * The lab's core: one poll of everything per interval, whatever the number of open pages
 * (each page subscribes to the result), a short history for the pi chart and the action
 * markers, and the actions themselves through the driver.
 */
import type { Logger } from '@fopnp/net';
import { pipelineNames } from '@fopnp/rabbit-pipeline';
import { ActionError, type Driver } from './actions/driver.js';
import type { ActionMarker, ActionView, LabHello, LabSnapshot, PiSample } from './snapshot.js';
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
  services: ServicesSource;
  tallyUrl: string;
  managementUiPort: number;
  driver: Driver | undefined;
  pollMs: number;
  logger: Logger;
  /** Called after each poll with its duration (metrics). */
  onPoll?: (ms: number) => void;
}

const PI_HISTORY = 900;
const MARKERS = 100;
/** With no page open the lab still polls, slowly, so /api/state stays fresh. */
const IDLE_FACTOR = 5;

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

  constructor(private readonly o: LabOptions) {}

  get latest(): LabSnapshot | null {
    return this.snapshot;
  }
  get clients(): number {
    return this.subscribers.size;
  }
  /** The lab's own action needs no driver, so actions are always there (when RabbitMQ is). */
  get actionsEnabled(): boolean {
    return true;
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
    const [rabbitmq, redisNodes, serviceViews, tally, control] = await Promise.all([
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
    ]);
    // The lab's own action (through the broker, no orchestrator needed) comes first.
    if (rabbitmq.health === 'up') control.actions = [...Object.values(LAB_ACTIONS), ...control.actions];
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
      pipeline: { prefix: rabbit.prefix, tally, flows: pipelineFlows(rabbit.prefix) },
      control,
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

  private runOwn(id: (typeof LAB_ACTIONS)[keyof typeof LAB_ACTIONS]['id']): Promise<string> {
    const rabbit = this.o.rabbit;
    return id === LAB_ACTIONS.malformed.id
      ? rabbit.publishMalformed()
      : rabbit.closeConnectionOf(pipelineNames(rabbit.prefix).judge);
  }

  /** Runs a declared action, leaves a marker, and polls at once so the page sees the effect. */
  async act(actionId: string): Promise<ActionMarker> {
    const driver = this.o.driver;
    const own = Object.values(LAB_ACTIONS).find((a) => a.id === actionId);
    if (!driver && !own)
      throw new ActionError('actions are off: no control endpoint (STACK_CONTROL_URL) configured', 503);
    const label = own
      ? own.label
      : (this.snapshot?.control.actions.find((a) => a.id === actionId)?.label ?? actionId);
    let marker: ActionMarker;
    try {
      const detail = own ? await this.runOwn(own.id) : await driver!.run(actionId);
      marker = { at: Date.now(), actionId, label, ok: true, detail };
    } catch (err) {
      if (err instanceof ActionError && err.status === 404) throw err;
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
    await this.polling;
    this.subscribers.clear();
    await Promise.all([this.o.rabbit.close(), this.o.redis.close()]);
  }
}
