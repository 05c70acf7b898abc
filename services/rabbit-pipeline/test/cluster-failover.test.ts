/**
 * A three-node RabbitMQ cluster on this machine (RabbitCluster of @fopnp/net/testing), the
 * pipeline on quorum queues, its clients given all three nodes' URLs. 20,000 points go
 * through bitsource → always-yes / judge ⇄ pythagoras → decisions while the node that
 * leads the decisions queue (and holds the clients' connections) is SIGKILLed
 * mid-stream, then started again. Every confirmed point must be tallied; duplicates are
 * counted and bounded by the windows that can replay (prefetch and in-flight); the queue
 * leaders move off the dead node and `rabbit-pipeline leaders` says where they went; the
 * clients reconnect to a live node within a measured bound.
 */
import { RabbitCluster, runNode } from '@fopnp/net/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PLACEMENT_QUERY, parsePlacements, type QueuePlacement } from '../src/cluster/leaders.js';
import { ReliableConsumer } from '../src/consumer.js';
import {
  openPipeline,
  type Pipeline,
  runBitsource,
  startAlwaysYes,
  startJudge,
  startPythagoras,
} from '../src/pipeline.js';
import { parseDecision } from '../src/protocol.js';
import { Tally } from '../src/tally.js';
import { CLI, uniquePrefix, waitUntil } from './helpers.js';

const POINTS = 20_000;
const PREFETCH = 64;
const MAX_IN_FLIGHT = 256;
/** The bound on reconnecting stated in the README; the figure measured is printed. */
const RECONNECT_BOUND_MS = 15_000;

let cluster: RabbitCluster | undefined;
const pipelines: Pipeline[] = [];

beforeAll(async () => {
  const t0 = Date.now();
  cluster = await RabbitCluster.start({ size: 3 });
  console.log(
    `cluster: 3 nodes booted in ${cluster.timings.bootMs} ms, joined in ${cluster.timings.joinMs} ms (${Date.now() - t0} ms in all)`,
  );
}, 240_000);

afterAll(async () => {
  for (const p of pipelines) await p.close().catch(() => {});
  await cluster?.stop();
}, 60_000);

/** `rabbit-pipeline leaders` run against a live node, parsed back. */
async function leaders(prefix: string, askNode: number): Promise<{ text: string; rows: QueuePlacement[] }> {
  const c = cluster!;
  const r = await runNode(
    CLI,
    [
      'leaders',
      '--prefix',
      prefix,
      '--node',
      c.node(askNode).name,
      '--rabbitmqctl',
      '/usr/lib/rabbitmq/bin/rabbitmqctl',
    ],
    { env: c.ctlEnv, timeoutMs: 60_000 },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  // The same question in JSON, to compare with what the command printed.
  const json = await c.ctl(askNode, PLACEMENT_QUERY);
  return { text: r.stdout, rows: parsePlacements(json).filter((q) => q.name.startsWith(`${prefix}.`)) };
}

it('tallies every confirmed point while the leading node is SIGKILLed and restarted; leaders move and clients reconnect', async () => {
  const c = cluster!;
  const prefix = uniquePrefix('cluster');
  const options = {
    amqpUrl: c.urls,
    prefix,
    quorum: true,
    prefetch: PREFETCH,
    maxInFlight: MAX_IN_FLIGHT,
    // Calls cut by the failover are retried; a point must not run out of retries then.
    maxRetries: 20,
    rpcTimeoutMs: 5_000,
  };
  const source = await openPipeline(options);
  const workers = await openPipeline(options);
  pipelines.push(source, workers);
  const brokers = { source: source.broker, workers: workers.broker };

  // Reconnect times: from each connection's drop to its next connect.
  const outages: Record<string, { down?: number; up?: number; to?: string }> = {};
  for (const [name, b] of Object.entries(brokers)) {
    b.on('disconnected', () => {
      outages[name] = { down: performance.now() };
    });
    b.on('connected', () => {
      const o = outages[name];
      if (o && o.up === undefined) Object.assign(o, { up: performance.now(), to: b.endpoint });
    });
  }

  await startPythagoras(workers);
  await startJudge(workers);
  await startAlwaysYes(workers);
  const tally = new Tally();
  const seen = new Map<string, number>();
  const counter = await new ReliableConsumer(workers.broker, {
    queue: workers.names.decisions,
    prefetch: PREFETCH,
    publisher: workers.publisher,
    async handler(msg) {
      const id = String(msg.properties.messageId);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      tally.record(parseDecision(msg.content, workers.names.decisions));
    },
  }).start();

  const before = await leaders(prefix, 2);
  console.log(`leaders before:\n${before.text}`);
  const decisions = before.rows.find((q) => q.name === workers.names.decisions)!;
  expect(decisions.type).toBe('quorum');
  expect(decisions.members).toHaveLength(3);
  const victim = c.nodes.find((n) => n.name === decisions.leader)!;
  expect(victim).toBeDefined();
  // The clients connect to the first URL: the leader is there too (declared from there).
  expect(source.broker.endpoint).toContain(`:${victim.amqpPort}`);

  const started = performance.now();
  const publishing = runBitsource(source, { points: POINTS, rate: 0 });
  await waitUntil(() => seen.size >= 5_000, 120_000, 'the first 5,000 points to be tallied');
  const killedAt = seen.size;
  await c.killNode(victim.index);
  const killed = performance.now();
  // Started again while the others carry on; it rejoins from its own data directory.
  const restarting = new Promise((r) => setTimeout(r, 2_000)).then(() => c.startNode(victim.index));

  await waitUntil(
    () => Object.keys(brokers).every((k) => outages[k]?.up !== undefined),
    RECONNECT_BOUND_MS * 2,
    'both connections to reconnect',
  );
  const sent = await publishing;
  expect(sent).toBe(POINTS);
  await waitUntil(() => seen.size >= POINTS, 120_000, `all ${POINTS} points to be tallied`);
  await restarting;
  const elapsed = performance.now() - started;

  // Leaders: off the dead node, and the restarted node back among the online members.
  let after = await leaders(prefix, victim.index === 1 ? 2 : 1);
  await waitUntil(
    async () => {
      after = await leaders(prefix, victim.index === 1 ? 2 : 1);
      return after.rows.every((q) => q.type !== 'quorum' || q.online.length === 3);
    },
    60_000,
    'the restarted node to be online in every quorum queue',
  );
  console.log(`leaders after:\n${after.text}`);
  const movedTo = after.rows.find((q) => q.name === workers.names.decisions)!.leader;
  expect(movedTo).not.toBe(victim.name);
  expect(after.text).toContain(movedTo);

  await counter.close();
  const duplicates = [...seen.values()].reduce((n, k) => n + k - 1, 0);
  // What can be replayed: unacked deliveries of the three consumers on the dead
  // connection, and the unconfirmed messages of the two publishers, resent.
  const bound = 3 * PREFETCH + 2 * MAX_IN_FLIGHT;
  const reconnect = Object.fromEntries(
    Object.entries(outages).map(([k, o]) => [k, Math.round((o.up ?? Number.NaN) - (o.down ?? killed))]),
  );
  const deadLetters = await c.ctl(victim.index === 1 ? 2 : 1, [
    'list_queues',
    'name',
    'messages',
    '--no-table-headers',
  ]);
  const dlq = Number(
    deadLetters
      .split('\n')
      .find((l) => l.startsWith(`${workers.names.deadLetters}\t`))
      ?.split('\t')[1] ?? 0,
  );
  console.log(
    `cluster failover: ${POINTS} confirmed, node ${victim.name} SIGKILLed after ${killedAt} tallied and restarted; ` +
      `${seen.size} unique tallied, ${duplicates} duplicates (bound ${bound}), ${dlq} dead-lettered; ` +
      `reconnect ms ${JSON.stringify(reconnect)} to ${JSON.stringify(Object.fromEntries(Object.entries(outages).map(([k, o]) => [k, o.to])))}; ` +
      `decisions leader ${victim.name} → ${movedTo}; run ${Math.round(elapsed)} ms; tally estimate ${tally.estimate}`,
  );
  expect(seen.size).toBe(POINTS);
  for (let i = 1; i <= POINTS; i++) expect(seen.has(String(i))).toBe(true);
  expect(duplicates).toBeLessThanOrEqual(bound);
  expect(dlq).toBe(0);
  for (const ms of Object.values(reconnect)) expect(ms).toBeLessThanOrEqual(RECONNECT_BOUND_MS);
  for (const o of Object.values(outages)) expect(o.to).not.toContain(`:${victim.amqpPort}`);
}, 400_000);
