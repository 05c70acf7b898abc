/**
 * Publish/subscribe (fanout), routing (direct) and topics (topic): one publisher, one
 * consumer per bound queue. The run publishes a known mix of routing keys, waits until
 * every queue received what its bindings promise, and prints who got what.
 */
import { ReliableConsumer } from '../consumer.js';
import type { ExchangeDecl } from '../topology.js';
import type { PatternSession } from './session.js';
import { FACILITIES, type PatternName, SEVERITIES, TOPIC_SEVERITIES } from './topologies.js';

/** AMQP topic matching: `*` is one word, `#` zero or more. */
export function topicMatches(pattern: string, key: string): boolean {
  const p = pattern.split('.');
  const k = key.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return match(i + 1, j) || (j < k.length && match(i, j + 1));
    if (j === k.length) return false;
    return (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

/** Whether a message with `key` reaches a queue bound with `pattern` on this exchange. */
export function routes(exchange: ExchangeDecl, pattern: string, key: string): boolean {
  if (exchange.type === 'fanout') return true;
  if (exchange.type === 'direct') return pattern === key;
  return topicMatches(pattern, key);
}

/** The routing keys the run publishes, in order, for `messages` messages. */
export function keysFor(pattern: PatternName, messages: number): string[] {
  const keys: string[] =
    pattern === 'routing'
      ? [...SEVERITIES]
      : pattern === 'topics'
        ? FACILITIES.flatMap((f) => TOPIC_SEVERITIES.map((s) => `${f}.${s}`))
        : [''];
  return Array.from({ length: messages }, (_, i) => keys[i % keys.length]!);
}

export interface QueueReceipt {
  queue: string;
  boundWith: string[];
  expected: number;
  received: number;
  byKey: Map<string, number>;
}

export interface ExchangeRun {
  exchange: ExchangeDecl;
  published: number;
  elapsedMs: number;
  queues: QueueReceipt[];
}

/** Publishes `messages` confirmed messages and waits until each queue has what it is bound for. */
export async function runExchangePattern(
  s: PatternSession,
  messages: number,
  timeoutMs = 30_000,
): Promise<ExchangeRun> {
  const exchange = s.topology.exchanges[0]!;
  const keys = keysFor(s.topology.pattern, messages);
  const receipts: QueueReceipt[] = s.topology.bindings
    .filter((b) => b.exchange === exchange.name)
    .reduce<QueueReceipt[]>((acc, b) => {
      let r = acc.find((x) => x.queue === b.queue);
      if (!r) {
        r = { queue: b.queue, boundWith: [], expected: 0, received: 0, byKey: new Map() };
        acc.push(r);
      }
      r.boundWith.push(b.pattern);
      return acc;
    }, []);
  for (const r of receipts) {
    r.expected = keys.filter((k) => r.boundWith.some((p) => routes(exchange, p, k))).length;
  }
  let settle!: () => void;
  const complete = new Promise<void>((r) => {
    settle = r;
  });
  const check = () => {
    if (receipts.every((r) => r.received >= r.expected)) settle();
  };
  const consumers = await Promise.all(
    receipts.map((r) =>
      new ReliableConsumer(s.broker, {
        queue: r.queue,
        publisher: s.publisher,
        ...(s.topology.deadLetterExchange ? { deadLetterExchange: s.topology.deadLetterExchange } : {}),
        logger: s.logger,
        handler(msg) {
          const key = msg.fields.routingKey;
          r.byKey.set(key, (r.byKey.get(key) ?? 0) + 1);
          r.received++;
          check();
        },
      }).start(),
    ),
  );
  const started = performance.now();
  try {
    await Promise.all(
      keys.map((k, i) =>
        s.publisher.publish(exchange.name, k, Buffer.from(`message ${i} (${k || 'no key'})`)),
      ),
    );
    check();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      complete,
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          const got = receipts.map((r) => `${r.queue} ${r.received}/${r.expected}`).join(', ');
          reject(
            new Error(
              `${s.topology.pattern}: not every queue got its messages within ${timeoutMs} ms (${got})`,
            ),
          );
        }, timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await Promise.all(consumers.map((c) => c.close()));
  }
  return { exchange, published: keys.length, elapsedMs: performance.now() - started, queues: receipts };
}

export function formatExchangeRun(run: ExchangeRun): string {
  const lines = [
    `${run.published} messages published (confirmed) to ${run.exchange.name} (${run.exchange.type}) in ${Math.round(run.elapsedMs)} ms, delivered to:`,
  ];
  const width = Math.max(5, ...run.queues.map((q) => q.queue.length));
  lines.push(`${'queue'.padEnd(width)}  bound with              received  by key`);
  for (const q of run.queues) {
    const bound = q.boundWith.map((p) => JSON.stringify(p)).join(', ');
    const byKey = [...q.byKey].map(([k, n]) => `${k || '(none)'}=${n}`).join(' ');
    lines.push(`${q.queue.padEnd(width)}  ${bound.padEnd(22)}  ${String(q.received).padStart(8)}  ${byKey}`);
  }
  return `${lines.join('\n')}\n`;
}
