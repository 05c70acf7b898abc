/**
 * What does replication cost? The reliable path (ReliablePublisher: persistent, confirms,
 * bounded window; ReliableConsumer: manual acks after the handler) through
 *   classic: a classic durable queue, which lives on one node;
 *   quorum:  a quorum queue replicated on all three nodes (Raft: a write is confirmed once
 *            a majority has it on disk);
 * in the same run, on one three-node cluster started for the purpose (RabbitCluster), the
 * client connected to node 1, where both queues' (leader) processes live. Prints msg/s
 * (first publish → last message consumed) and the broker CPU per message: the user+system
 * time of all three nodes' Erlang VMs (from /proc/<pid>/stat) over the run, divided by
 * the messages. Rounds alternate classic and quorum, so a burst of load elsewhere on the
 * machine hits both.
 *
 *   flock /tmp/fopnp-bench.lock node dist/bench/cluster.js [messages] [rounds]
 */

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { RabbitCluster } from '@fopnp/net/testing';
import { Broker } from '../src/connection.js';
import { ReliableConsumer } from '../src/consumer.js';
import { ReliablePublisher } from '../src/publisher.js';

const N = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 2);
const SIZE = 1024;
const PREFETCH = 256;
const IN_FLIGHT = 1024;
/** Clock ticks per second of /proc/<pid>/stat's utime and stime (Linux: 100). */
const CLK_TCK = 100;

async function cpuSeconds(pids: number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / CLK_TCK;
}

interface Result {
  kind: 'classic' | 'quorum';
  rate: number;
  cpuUsPerMessage: number;
}

async function runOnce(broker: Broker, pids: number[], kind: Result['kind'], round: number): Promise<Result> {
  const queue = `rp-bench-cluster-${process.pid}-${kind}-${round}`;
  const admin = await broker.channel();
  await admin.assertQueue(queue, {
    durable: true,
    arguments: kind === 'quorum' ? { 'x-queue-type': 'quorum' } : {},
  });
  const publisher = await new ReliablePublisher(broker, { maxInFlight: IN_FLIGHT }).start();
  let consumed = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => {
    finish = r;
  });
  const consumer = await new ReliableConsumer(broker, {
    queue,
    prefetch: PREFETCH,
    handler() {
      if (++consumed === N) finish();
    },
  }).start();
  const filler = randomBytes(SIZE);
  const cpu0 = await cpuSeconds(pids);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    if (!publisher.hasRoom) await publisher.waitForRoom();
    void publisher.sendToQueue(queue, filler);
  }
  await publisher.flush();
  await done;
  const seconds = (performance.now() - t0) / 1_000;
  const cpu = (await cpuSeconds(pids)) - cpu0;
  await consumer.close();
  await publisher.close();
  await admin.deleteQueue(queue);
  await admin.close();
  return { kind, rate: N / seconds, cpuUsPerMessage: (cpu * 1e6) / N };
}

const started = Date.now();
const cluster = await RabbitCluster.start({ size: 3 });
try {
  const pids = await Promise.all(cluster.nodes.map((n) => cluster.pidOf(n.index)));
  console.log(
    `rabbit-pipeline cluster bench: ${N} messages of ${SIZE} bytes a run, prefetch ${PREFETCH}, in-flight ${IN_FLIGHT}; ` +
      `3 nodes up in ${Math.round((Date.now() - started) / 1_000)} s`,
  );
  const broker = await Broker.connect({ url: cluster.node(1).url });
  const results: Result[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of ['classic', 'quorum'] as const) {
      const r = await runOnce(broker, pids, kind, round);
      results.push(r);
      const label = kind === 'classic' ? 'classic queue (one node)' : 'quorum queue (3 replicas)';
      console.log(
        `round ${round}  ${label.padEnd(26)} ${r.rate.toFixed(0).padStart(6)} msg/s   broker CPU ${r.cpuUsPerMessage.toFixed(0).padStart(5)} µs/msg`,
      );
    }
  }
  await broker.close();
  const mean = (kind: Result['kind'], f: (r: Result) => number) => {
    const rs = results.filter((r) => r.kind === kind);
    return rs.reduce((s, r) => s + f(r), 0) / rs.length;
  };
  const rate = mean('quorum', (r) => r.rate) / mean('classic', (r) => r.rate);
  const cpu = mean('quorum', (r) => r.cpuUsPerMessage) / mean('classic', (r) => r.cpuUsPerMessage);
  console.log(
    `ratio quorum/classic: throughput ${rate.toFixed(2)}, broker CPU per message ${cpu.toFixed(2)} (means over ${ROUNDS} rounds)`,
  );
} finally {
  await cluster.stop();
}
