/**
 * `rabbit-pipeline topology` prints what the code declares, the broker holds exactly
 * that after a role starts (quorum work queues with the flag), and the README's diagram
 * is the command's output, not a hand-drawn copy.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runNode } from '@fopnp/net/testing';
import { afterAll, expect, it } from 'vitest';
import { openPipeline } from '../src/pipeline.js';
import { pipelineTopology } from '../src/topology.js';
import { AMQP_URL, CLI, deleteAllUnder, queueInfo, uniquePrefix } from './helpers.js';

const classic = uniquePrefix('topo');
const quorum = uniquePrefix('quorum');

afterAll(async () => {
  await deleteAllUnder(classic);
  await deleteAllUnder(quorum);
});

it('prints every declared exchange, queue and binding as tables', async () => {
  const r = await runNode(CLI, ['topology', '--prefix', 'demo', '--format', 'table']);
  expect(r.code).toBe(0);
  const topo = pipelineTopology('demo');
  for (const x of topo.exchanges) expect(r.stdout).toMatch(new RegExp(`\\| ${x.name} +\\| ${x.type} `));
  for (const q of topo.queues) expect(r.stdout).toMatch(new RegExp(`\\| ${q.name} +\\| classic, durable`));
  for (const b of topo.bindings) {
    expect(r.stdout).toContain(`| ${b.exchange}`);
    expect(r.stdout).toMatch(
      new RegExp(`\\| ${b.exchange} +\\| ${b.pattern.replace('#', '\\#')} +\\| ${b.queue} `),
    );
  }
  expect(r.stdout).not.toContain('mermaid');
});

it('marks the queues quorum with --quorum, the dead-letter queue too (a cluster must reach it with a node down)', async () => {
  const r = await runNode(CLI, ['topology', '--prefix', 'demo', '--quorum', '--format', 'table']);
  expect(r.stdout).toMatch(/\| demo\.judge +\| quorum, durable/);
  expect(r.stdout).toMatch(/\| demo\.dead-letters +\| quorum, durable/);
});

it('declares on the broker exactly the queues it prints, classic or quorum', async () => {
  const cases = [
    [classic, false],
    [quorum, true],
  ] as const;
  // Both at once: creating quorum queues is the slow part.
  await Promise.all(
    cases.map(async ([prefix, flag]) => {
      const p = await openPipeline({ amqpUrl: AMQP_URL, prefix, quorum: flag });
      await p.close();
    }),
  );
  const info = await queueInfo('rp-test-');
  for (const [prefix, flag] of cases) {
    const topo = pipelineTopology(prefix);
    const declared = [...info.keys()].filter((name) => name.startsWith(`${prefix}.`));
    expect(declared.sort()).toEqual(topo.queues.map((q) => q.name).sort());
    for (const q of topo.queues) {
      expect(info.get(q.name)?.type).toBe(flag && q.work ? 'quorum' : 'classic');
    }
  }
});

it("embeds the command's Mermaid diagram in the README unchanged", async () => {
  const r = await runNode(CLI, ['topology', '--format', 'mermaid']);
  const readme = await readFile(path.resolve(import.meta.dirname, '../README.md'), 'utf8');
  expect(r.stdout.startsWith('```mermaid\nflowchart LR\n')).toBe(true);
  expect(readme).toContain(r.stdout);
});
