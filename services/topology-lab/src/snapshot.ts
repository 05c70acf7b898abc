/**
 * What the lab sends to the page: one snapshot per poll (SSE `state`), and markers
 * (SSE `marker`) for the actions run. Plain data; the page imports these types only.
 */
import type { LiveMovement } from '@fopnp/redis-cache';

export type Health = 'up' | 'down' | 'unknown';
/** Last few seconds' direction of a depth: the page prints it next to the number. */
export type Trend = 'growing' | 'draining' | 'steady';

export interface ExchangeView {
  name: string;
  type: string;
  /** In the pipeline's declaration (rabbit-pipeline's topology.ts). */
  declared: boolean;
  /** Seen on the broker. */
  present: boolean;
  publishInRate: number | null;
  /** Messages published into it since the broker has known it (message_stats.publish_in). */
  publishedIn: number | null;
}

export interface QueueView {
  name: string;
  declared: boolean;
  present: boolean;
  /** Ready messages: live (AMQP passive declare) when `live`, else the management stats. */
  ready: number | null;
  unacked: number | null;
  consumers: number | null;
  live: boolean;
  publishRate: number | null;
  deliverRate: number | null;
  ackRate: number | null;
  /** Totals since the queue's stats began (message_stats.ack, .redeliver). */
  acked: number | null;
  redelivered: number | null;
  trend: Trend;
  /** Queue type (classic, quorum) and its dead-letter exchange, from the broker. */
  type: string | null;
  deadLetterExchange: string | null;
}

export interface BindingView {
  source: string;
  destination: string;
  routingKey: string;
  declared: boolean;
}

export interface ConsumerView {
  queue: string;
  tag: string;
  connection: string;
  prefetch: number;
}

export interface ConnectionView {
  name: string;
  peer: string;
  clientName: string | null;
  channels: number;
  state: string;
}

export interface RabbitView {
  health: Health;
  error: string | null;
  version: string | null;
  exchanges: ExchangeView[];
  queues: QueueView[];
  bindings: BindingView[];
  consumers: ConsumerView[];
  connections: ConnectionView[];
}

export interface RedisNodeView {
  /** host:port as configured or as the cluster announces it. */
  address: string;
  health: Health;
  error: string | null;
  role: string | null;
  /** master address of a replica. */
  masterOf: string | null;
  keys: number | null;
  opsPerSec: number | null;
  hitRatio: number | null;
  /** INFO's used_memory, bytes. */
  memoryBytes: number | null;
  clusterEnabled: boolean;
  /** Slot ranges this node serves as a cluster master, e.g. [[0, 5460]]. */
  slots: [number, number][];
}

export interface MetricView {
  name: string;
  /** Sum of the family's samples (every label set). */
  value: number;
  /** Per second over `windowS`, for counters; null for gauges or a too-short history. */
  ratePerSec: number | null;
  windowS: number;
}

export interface LinkView {
  label: string;
  port: number;
  path: string;
}

export interface ServiceView {
  name: string;
  chapter: string;
  description: string;
  needs: string[];
  health: Health;
  ready: boolean;
  /** Where to reach it: the page builds http://<the host it was loaded from>:port+path. */
  links: LinkView[];
  metrics: MetricView[];
}

export interface TallyView {
  health: Health;
  estimate: number | null;
  count: number;
  inside: number;
  ratePerSecond: number;
  malformed: number;
}

/** A declared message flow between a role and an exchange or queue (rabbit-pipeline's design). */
export interface FlowView {
  /** Node ids: `role:<name>`, `x:<exchange>`, `q:<queue>`. */
  from: string;
  to: string;
  label: string;
  /** Drawn dashed: replies and dead-lettering, not the main flow. */
  secondary: boolean;
}

/** redis-cache's /stats, the parts the page shows. */
export interface CacheStatsView {
  health: Health;
  topology: string | null;
  /** ok, or degraded while a Redis server it uses is unreachable. */
  status: string | null;
  down: string[];
  failOpen: number | null;
  hits: number | null;
  misses: number | null;
}

export interface ProcessView {
  unit: string;
  /** host:port of the server the unit runs (Redis units), when the orchestrator says. */
  address: string | null;
  kind: string;
  instance: string;
  pid: number | null;
  state: 'running' | 'stopped';
}

export interface ActionView {
  id: string;
  label: string;
  description: string;
}

export interface LabSnapshot {
  /** ms since the epoch when this poll finished. */
  at: number;
  pollMs: number;
  /** How long the poll took, ms. */
  pollTookMs: number;
  rabbitmq: RabbitView;
  /** Port of RabbitMQ's management UI (the page links it on its own host name). */
  managementUiPort: number;
  redis: RedisNodeView[];
  services: ServiceView[];
  pipeline: { prefix: string; tally: TallyView; flows: FlowView[]; accounting: AccountingView };
  sharding: ShardingView;
  /** redis-cache's own view (its /stats), when the lab is given its HTTP API. */
  cache: CacheStatsView;
  scenarios: { list: ScenarioView[]; run: ScenarioRunView | null };
  control: { health: Health; error: string | null; processes: ProcessView[]; actions: ActionView[] };
}

export interface ActionMarker {
  at: number;
  actionId: string;
  label: string;
  ok: boolean;
  detail: string;
}

/** One point of the pi chart: when, how many decisions, the estimate. */
export interface PiSample {
  at: number;
  count: number;
  estimate: number;
}

/** Sent once when a page connects: the recent history, so a new tab has a chart at once. */
export interface LabHello {
  snapshot: LabSnapshot | null;
  pi: PiSample[];
  markers: ActionMarker[];
  actionsAllowed: boolean;
}

/** Where a key goes under each client-side strategy (shard index of the configured shards). */
export interface KeyPlacement {
  strategy: string;
  shard: number;
  address: string;
}

/** `GET /api/where?key=K`: which shard or cluster node holds K, computed and looked up. */
export interface WhereView {
  key: string;
  /** `<namespace>:<key>`, what redis-cache writes. */
  redisKey: string;
  /** Client-side shards: each strategy's choice, and the shards where EXISTS found the key. */
  shards: { placements: KeyPlacement[]; holders: string[]; down: string[] } | null;
  /** Redis Cluster: CLUSTER KEYSLOT of the Redis key, the master owning it, EXISTS there. */
  cluster: { slot: number; owner: string | null; present: boolean | null } | null;
}

/** One strategy's share of keys moved when the last shard is added (redis-cache's measurement). */
export type MovementRow = LiveMovement;

export interface MovementView {
  at: number;
  tookMs: number;
  rows: MovementRow[];
}

export interface ShardingView {
  /** redis-cache's namespace: keys are `<namespace>:<key>`. */
  namespace: string;
  /** The configured shards' addresses, in shard order (their numbers are in `redis`). */
  shards: string[];
  movement: MovementView | null;
}

/**
 * Published against counted: the broker's own message counts (management API, sampled every
 * 5 s) beside tally's count, so the page can show that nothing is lost.
 */
export interface AccountingView {
  /** Messages published to the points exchange (bitsource, and the lab's malformed points). */
  published: number | null;
  /** Points a second into the points exchange: bitsource's rate as the broker sees it. */
  publishRate: number | null;
  /** Acked by always-yes / by the judges. */
  alwaysYes: number | null;
  judged: number | null;
  /** Deliveries of the judge queue that were redeliveries (a judge died holding them). */
  redelivered: number | null;
  /** tally's count (its /estimate). */
  tallied: number | null;
  /** Ready in the dead-letter queue. */
  deadLetters: number | null;
  /** Ready + unacked over the points and decisions queues: on their way. */
  inQueues: number | null;
}

/** A guided scenario as the page lists it: what it does and what to watch, step by step. */
export interface ScenarioView {
  id: string;
  title: string;
  description: string;
  steps: { say: string; watch: string }[];
  /** Why it cannot run here (an action or a source it needs is missing), or null. */
  missing: string | null;
}

/** One line of a scenario's timeline. */
export interface TimelineEntry {
  at: number;
  /** ms since the scenario started. */
  sinceMs: number;
  /** Index of the declared step it belongs to. */
  step: number;
  text: string;
  /** true: a check passed; false: it failed; null: what was done or seen. */
  ok: boolean | null;
}

export interface ScenarioRunView {
  id: string;
  title: string;
  startedAt: number;
  endedAt: number | null;
  state: 'running' | 'passed' | 'failed';
  step: number;
  timeline: TimelineEntry[];
}
