/**
 * The pipeline's exchanges, queues and bindings as data: declared on the broker by
 * `declareTopology`, printed by `rabbit-pipeline topology` as a table and a Mermaid
 * diagram. One list, so what the README shows is what the code declares.
 */
import type { Channel, Options } from 'amqplib';

export interface ExchangeDecl {
  name: string;
  type: 'topic' | 'fanout' | 'direct';
  purpose: string;
}
export interface QueueDecl {
  name: string;
  purpose: string;
  /**
   * Becomes a quorum queue with the `quorum` flag. Every durable queue of the pipeline is,
   * the dead-letter queue included: in a cluster a classic queue is unreachable while its
   * one node is down, and declaring it then fails on every node (404, "home node … is
   * down"), which would keep clients from reconnecting at all.
   */
  work: boolean;
  /** Dead-letters go to the DLX with the queue's own name as routing key. */
  deadLetter: boolean;
  /** A fixed queue type (a stream is always a stream), whatever the `quorum` flag says. */
  type?: 'classic' | 'quorum' | 'stream';
}
export interface BindingDecl {
  exchange: string;
  queue: string;
  pattern: string;
}
export interface Topology {
  exchanges: ExchangeDecl[];
  queues: QueueDecl[];
  bindings: BindingDecl[];
}

/** Every name the pipeline uses, under one prefix (AMQP_PREFIX). */
export function pipelineNames(prefix: string) {
  const p = prefix ? `${prefix}.` : '';
  return {
    points: `${p}points`,
    alwaysYes: `${p}always-yes`,
    judge: `${p}judge`,
    pythagoras: `${p}pythagoras`,
    decisions: `${p}decisions`,
    deadLetterExchange: `${p}dlx`,
    deadLetters: `${p}dead-letters`,
    /** Prefix of each judge's exclusive reply queue. */
    replies: `${p}replies`,
  };
}
export type PipelineNames = ReturnType<typeof pipelineNames>;

/**
 * queuepi.py over AMQP. bitsource publishes each point with its first two bits as the
 * routing key ("0.1"); always-yes takes "0.0", judge takes "0.1" and "1.#" — the
 * book's ZeroMQ prefix subscriptions, as topic patterns.
 */
export function pipelineTopology(prefix: string): Topology {
  const n = pipelineNames(prefix);
  return {
    exchanges: [
      { name: n.points, type: 'topic', purpose: 'bitsource publishes points, key = first two bits' },
      { name: n.deadLetterExchange, type: 'topic', purpose: 'where rejected messages go' },
    ],
    queues: [
      { name: n.alwaysYes, purpose: 'points in the lower-left quadrant', work: true, deadLetter: true },
      {
        name: n.judge,
        purpose: 'points judges must measure (shared by judges)',
        work: true,
        deadLetter: true,
      },
      // No dead-lettering here: requests expire with the caller's timeout, and an expired
      // request is worth nothing to anyone, so it is dropped rather than kept in the DLQ.
      {
        name: n.pythagoras,
        purpose: 'sum-of-squares requests (request/reply)',
        work: true,
        deadLetter: false,
      },
      { name: n.decisions, purpose: 'Y/N decisions for tally (pipeline)', work: true, deadLetter: true },
      {
        name: n.deadLetters,
        purpose: 'messages retried too often or malformed',
        work: true,
        deadLetter: false,
      },
    ],
    bindings: [
      { exchange: n.points, queue: n.alwaysYes, pattern: '0.0' },
      { exchange: n.points, queue: n.judge, pattern: '0.1' },
      { exchange: n.points, queue: n.judge, pattern: '1.#' },
      { exchange: n.deadLetterExchange, queue: n.deadLetters, pattern: '#' },
    ],
  };
}

export interface DeclareOptions {
  /** Declare work queues as quorum queues. @default false */
  quorum?: boolean;
  /** Exchange that receives dead letters; none when omitted. */
  deadLetterExchange?: string;
}

/** Queue arguments for a declaration: durable, optionally quorum, dead-lettering to the DLX. */
export function queueOptions(q: QueueDecl, opts: DeclareOptions): Options.AssertQueue {
  const args: Record<string, unknown> = {};
  if (q.type && q.type !== 'classic') args['x-queue-type'] = q.type;
  else if (!q.type && q.work && opts.quorum) args['x-queue-type'] = 'quorum';
  if (q.deadLetter && opts.deadLetterExchange) {
    args['x-dead-letter-exchange'] = opts.deadLetterExchange;
    args['x-dead-letter-routing-key'] = q.name;
  }
  return { durable: true, arguments: args };
}

/** Declares everything (idempotent; run again after every reconnect). */
export async function declareTopology(ch: Channel, topology: Topology, opts: DeclareOptions): Promise<void> {
  for (const x of topology.exchanges) await ch.assertExchange(x.name, x.type, { durable: true });
  for (const q of topology.queues) await ch.assertQueue(q.name, queueOptions(q, opts));
  for (const b of topology.bindings) await ch.bindQueue(b.queue, b.exchange, b.pattern);
}

/** Deletes everything a topology declared (tests, `rabbit-pipeline purge`). */
export async function deleteTopology(ch: Channel, topology: Topology): Promise<void> {
  for (const q of topology.queues) await ch.deleteQueue(q.name);
  for (const x of topology.exchanges) await ch.deleteExchange(x.name);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Markdown tables of exchanges, queues and bindings. */
export function renderTable(topology: Topology, opts: DeclareOptions = {}): string {
  const exchanges = table(
    ['exchange', 'type', 'purpose'],
    topology.exchanges.map((x) => [x.name, x.type, x.purpose]),
  );
  const queues = table(
    ['queue', 'type', 'dead-letters to', 'purpose'],
    topology.queues.map((q) => {
      const args = queueOptions(q, opts).arguments ?? {};
      return [
        q.name,
        `${args['x-queue-type'] ?? 'classic'}, durable`,
        q.deadLetter && opts.deadLetterExchange ? `${opts.deadLetterExchange} (key ${q.name})` : '-',
        q.purpose,
      ];
    }),
  );
  const bindings = table(
    ['exchange', 'pattern', 'queue'],
    topology.bindings.map((b) => [b.exchange, b.pattern, b.queue]),
  );
  return `${exchanges}\n\n${queues}\n\n${bindings}\n`;
}

function nodeId(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '_');
}

/** A Mermaid flowchart: exchanges as hexagons, queues as cylinders, roles as boxes. */
export function renderMermaid(topology: Topology, names: PipelineNames): string {
  const lines = ['flowchart LR'];
  const roles: [string, string][] = [
    ['bitsource', 'bitsource'],
    ['always_yes', 'always-yes'],
    ['judge', 'judge ×N'],
    ['pythagoras', 'pythagoras'],
    ['tally', 'tally :8006'],
  ];
  for (const [id, label] of roles) lines.push(`  ${id}["${label}"]`);
  for (const x of topology.exchanges) lines.push(`  ${nodeId(x.name)}{{"${x.name} (${x.type})"}}`);
  for (const q of topology.queues) lines.push(`  ${nodeId(q.name)}[("${q.name}")]`);
  lines.push(`  bitsource -- publish --> ${nodeId(names.points)}`);
  for (const b of topology.bindings) {
    lines.push(`  ${nodeId(b.exchange)} -- "${b.pattern}" --> ${nodeId(b.queue)}`);
  }
  lines.push(
    `  ${nodeId(names.alwaysYes)} --> always_yes`,
    `  ${nodeId(names.judge)} --> judge`,
    `  judge -- "request (reply-to, correlation id)" --> ${nodeId(names.pythagoras)}`,
    `  ${nodeId(names.pythagoras)} --> pythagoras`,
    `  pythagoras -. reply .-> judge`,
    `  always_yes -- Y --> ${nodeId(names.decisions)}`,
    `  judge -- Y/N --> ${nodeId(names.decisions)}`,
    `  ${nodeId(names.decisions)} --> tally`,
  );
  for (const q of topology.queues.filter((q) => q.deadLetter)) {
    lines.push(`  ${nodeId(q.name)} -. rejected .-> ${nodeId(names.deadLetterExchange)}`);
  }
  return `${lines.join('\n')}\n`;
}
