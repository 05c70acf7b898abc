/**
 * The RabbitMQ tutorials' topologies as data, one function each, under a prefix: what
 * `rabbit-pipeline pattern NAME` declares, runs and prints (table + Mermaid), as
 * `src/topology.ts` does for the π pipeline. Each names the book's ZeroMQ pattern it
 * stands for, so the README's mapping is the code's.
 */
import type { Topology } from '../topology.js';

export const PATTERNS = ['work-queue', 'pubsub', 'routing', 'topics', 'rpc', 'stream'] as const;
export type PatternName = (typeof PATTERNS)[number];

/** An arrow of the diagram that is not a binding: a role publishing, consuming, replying. */
export interface Flow {
  from: string;
  to: string;
  label?: string;
  /** Drawn dotted: replies, dead letters. */
  dotted?: boolean;
}

export interface PatternTopology extends Topology {
  pattern: PatternName;
  /** The book's ZeroMQ sockets this pattern corresponds to. */
  zeromq: string;
  /** Processes of the pattern (boxes in the diagram), by id. */
  roles: { id: string; label: string }[];
  flows: Flow[];
  /** Where the pattern's queues dead-letter to, when they do. */
  deadLetterExchange?: string;
}

export interface PatternShape {
  /** Subscriber queues of the fanout (pubsub). @default 3 */
  subscribers?: number;
}

/** `<prefix>.<pattern>.<name>`: each pattern apart from the others and from the pipeline. */
function names(prefix: string, pattern: PatternName) {
  const p = prefix ? `${prefix}.${pattern}.` : `${pattern}.`;
  return (name: string) => `${p}${name}`;
}

/** The dead-letter exchange and queue every consumer-side pattern shares, as the pipeline's. */
function deadLetters(n: (s: string) => string): Pick<Topology, 'exchanges' | 'queues' | 'bindings'> {
  return {
    exchanges: [{ name: n('dlx'), type: 'topic', purpose: 'where rejected messages go' }],
    queues: [
      {
        name: n('dead-letters'),
        purpose: 'messages retried too often or malformed',
        work: true,
        deadLetter: false,
      },
    ],
    bindings: [{ exchange: n('dlx'), queue: n('dead-letters'), pattern: '#' }],
  };
}

function withDeadLetters(
  n: (s: string) => string,
  t: Omit<PatternTopology, 'deadLetterExchange'>,
): PatternTopology {
  const dl = deadLetters(n);
  const rejected: Flow[] = t.queues
    .filter((q) => q.deadLetter)
    .map((q) => ({ from: q.name, to: n('dlx'), label: 'rejected', dotted: true }));
  return {
    ...t,
    exchanges: [...t.exchanges, ...dl.exchanges],
    queues: [...t.queues, ...dl.queues],
    bindings: [...t.bindings, ...dl.bindings],
    flows: [...t.flows, ...rejected],
    deadLetterExchange: n('dlx'),
  };
}

/** Keys of the routing pattern (direct exchange): the tutorial's log severities. */
export const SEVERITIES = ['info', 'warning', 'error'] as const;
/** Keys of the topics pattern: <facility>.<severity>. */
export const FACILITIES = ['kern', 'cron', 'auth'] as const;
export const TOPIC_SEVERITIES = ['info', 'critical'] as const;

export function patternTopology(
  pattern: PatternName,
  prefix: string,
  shape: PatternShape = {},
): PatternTopology {
  const n = names(prefix, pattern);
  switch (pattern) {
    case 'work-queue':
      return withDeadLetters(n, {
        pattern,
        zeromq: 'PUSH/PULL',
        exchanges: [],
        queues: [{ name: n('tasks'), purpose: 'tasks shared by the workers', work: true, deadLetter: true }],
        bindings: [],
        roles: [
          { id: 'producer', label: 'producer' },
          { id: 'worker', label: 'worker ×N' },
        ],
        flows: [
          { from: 'producer', to: n('tasks'), label: 'publish (default exchange)' },
          { from: n('tasks'), to: 'worker', label: 'prefetch 1: to whoever is free' },
        ],
      });
    case 'pubsub': {
      const subs = Array.from({ length: shape.subscribers ?? 3 }, (_, i) => n(`logs.sub-${i + 1}`));
      return withDeadLetters(n, {
        pattern,
        zeromq: 'PUB/SUB',
        exchanges: [{ name: n('logs'), type: 'fanout', purpose: 'every message to every bound queue' }],
        queues: subs.map((name, i) => ({
          name,
          purpose: `subscriber ${i + 1}'s own copy`,
          work: true,
          deadLetter: true,
        })),
        bindings: subs.map((queue) => ({ exchange: n('logs'), queue, pattern: '' })),
        roles: [
          { id: 'publisher', label: 'publisher' },
          ...subs.map((_, i) => ({ id: `sub_${i + 1}`, label: `subscriber ${i + 1}` })),
        ],
        flows: [
          { from: 'publisher', to: n('logs'), label: 'publish' },
          ...subs.map((q, i) => ({ from: q, to: `sub_${i + 1}` })),
        ],
      });
    }
    case 'routing':
      return withDeadLetters(n, {
        pattern,
        zeromq: 'PUB/SUB (exact-match subscription)',
        exchanges: [
          { name: n('direct-logs'), type: 'direct', purpose: 'routing key = severity, exact match' },
        ],
        queues: [
          { name: n('errors'), purpose: 'errors only (to disk)', work: true, deadLetter: true },
          {
            name: n('all-severities'),
            purpose: 'every severity (to the console)',
            work: true,
            deadLetter: true,
          },
        ],
        bindings: [
          { exchange: n('direct-logs'), queue: n('errors'), pattern: 'error' },
          ...SEVERITIES.map((s) => ({ exchange: n('direct-logs'), queue: n('all-severities'), pattern: s })),
        ],
        roles: [
          { id: 'publisher', label: 'publisher' },
          { id: 'disk', label: 'error writer' },
          { id: 'console', label: 'console' },
        ],
        flows: [
          { from: 'publisher', to: n('direct-logs'), label: 'publish (key = severity)' },
          { from: n('errors'), to: 'disk' },
          { from: n('all-severities'), to: 'console' },
        ],
      });
    case 'topics':
      return withDeadLetters(n, {
        pattern,
        zeromq: 'PUB/SUB (prefix subscription, as queuepi.py)',
        exchanges: [
          { name: n('topic-logs'), type: 'topic', purpose: 'key = <facility>.<severity>, patterns' },
        ],
        queues: [
          { name: n('kern'), purpose: 'everything from the kernel', work: true, deadLetter: true },
          { name: n('critical'), purpose: 'critical from any facility', work: true, deadLetter: true },
          { name: n('everything'), purpose: 'all of it', work: true, deadLetter: true },
        ],
        bindings: [
          { exchange: n('topic-logs'), queue: n('kern'), pattern: 'kern.*' },
          { exchange: n('topic-logs'), queue: n('critical'), pattern: '*.critical' },
          { exchange: n('topic-logs'), queue: n('everything'), pattern: '#' },
        ],
        roles: [
          { id: 'publisher', label: 'publisher' },
          { id: 'kern_reader', label: 'kernel reader' },
          { id: 'pager', label: 'pager' },
          { id: 'archive', label: 'archive' },
        ],
        flows: [
          { from: 'publisher', to: n('topic-logs'), label: 'publish (key = facility.severity)' },
          { from: n('kern'), to: 'kern_reader' },
          { from: n('critical'), to: 'pager' },
          { from: n('everything'), to: 'archive' },
        ],
      });
    case 'rpc':
      return {
        pattern,
        zeromq: 'REQ/REP',
        exchanges: [],
        // No dead-lettering, as the pipeline's pythagoras: a request expires with the
        // caller's timeout, and an expired question is worth nothing to anyone.
        queues: [
          { name: n('rpc'), purpose: 'requests (reply-to, correlation id)', work: true, deadLetter: false },
        ],
        bindings: [],
        roles: [
          { id: 'client', label: 'client ×N (exclusive reply queue each)' },
          { id: 'server', label: 'server ×N' },
        ],
        flows: [
          { from: 'client', to: n('rpc'), label: 'request (reply-to, correlation id)' },
          { from: n('rpc'), to: 'server' },
          { from: 'server', to: 'client', label: 'reply', dotted: true },
        ],
      };
    case 'stream':
      return {
        pattern,
        zeromq: 'PUB/SUB with history (no ZeroMQ equivalent)',
        exchanges: [],
        // Streams take no dead-letter exchange: nothing is ever removed by a consumer.
        queues: [
          {
            name: n('events'),
            purpose: 'append-only log; each reader keeps its own offset',
            work: false,
            deadLetter: false,
            type: 'stream',
          },
        ],
        bindings: [],
        roles: [
          { id: 'producer', label: 'producer' },
          { id: 'from_first', label: 'reader from first' },
          { id: 'from_offset', label: 'reader from offset N' },
          { id: 'from_next', label: 'reader from next' },
        ],
        flows: [
          { from: 'producer', to: n('events'), label: 'append (confirmed)' },
          { from: n('events'), to: 'from_first', label: 'x-stream-offset first' },
          { from: n('events'), to: 'from_offset', label: 'x-stream-offset N' },
          { from: n('events'), to: 'from_next', label: 'x-stream-offset next' },
        ],
      };
  }
}
