/**
 * The book's queuepi.py end to end, every role its own process (two judges sharing the
 * work), talking only through RabbitMQ: after 20,000 points tally's estimate, read over
 * its HTTP port, is within 0.05 of π.
 */
import { type BackgroundProcess, runNode, stopAll } from '@fopnp/net/testing';
import { afterAll, expect, it } from 'vitest';
import type { TallySnapshot } from '../src/tally.js';
import { CLI, deleteAllUnder, startCli, uniquePrefix, waitUntil } from './helpers.js';

const prefix = uniquePrefix('pi');
const POINTS = 20_000;

afterAll(async () => {
  await stopAll();
  await deleteAllUnder(prefix);
});

function role(...args: string[]): BackgroundProcess {
  return startCli([...args, '--prefix', prefix]);
}

/** A wider prefetch than the default 64 halves the run here: judges wait on RPC and confirms. */
const wide = ['--prefetch', '256'];

it('estimates pi within 0.05 after 20,000 points with each role in its own process', async () => {
  const tally = role('tally', '--port', '0', '--print-every', '0');
  const [, port] = await tally.waitForOutput(/tally listening on http:\/\/127\.0\.0\.1:(\d+)/);
  const workers = [
    role('pythagoras', ...wide),
    role('judge', ...wide),
    role('judge', ...wide),
    role('always-yes', ...wide),
  ];
  await Promise.all(workers.map((w) => w.waitForOutput(/consuming under prefix/)));

  const source = await runNode(
    CLI,
    ['bitsource', '--prefix', prefix, '--points', String(POINTS), '--rate', '0'],
    {
      timeoutMs: 60_000,
    },
  );
  expect(source.stderr).toBe('');
  expect(source.stdout).toContain(`bitsource: ${POINTS} points published and confirmed`);

  let snapshot: TallySnapshot | undefined;
  await waitUntil(
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/estimate`);
      snapshot = (await res.json()) as TallySnapshot;
      return snapshot.count >= POINTS;
    },
    45_000,
    `tally to count ${POINTS} decisions`,
  );
  console.log(`pi run: ${JSON.stringify(snapshot)}`);
  expect(snapshot!.count).toBe(POINTS);
  expect(Math.abs(snapshot!.estimate! - Math.PI)).toBeLessThan(0.05);
  expect(snapshot!.malformed).toBe(0);

  // Every role stops cleanly on SIGTERM, as in a container.
  for (const p of [...workers, tally]) expect(await p.stop('SIGTERM')).toBe(0);
  expect(tally.output()).toMatch(/pi ≈ 3\.\d{5} after 20000 points/);
  expect(tally.output()).toContain('tally: 20000 messages processed, 0 retried, 0 dead-lettered');
  // The two judges shared the judge queue: each did part of the three quarters.
  const judged = workers
    .slice(1, 3)
    .map((j) => Number(/judge: (\d+) messages processed/.exec(j.output())?.[1]));
  console.log(`pi run: the judges processed ${judged.join(' and ')} points`);
  for (const n of judged) expect(n).toBeGreaterThan(1_000);
});
