/**
 * `rabbit-pipeline serve`, the container entry: ROLE=all runs every role, the tally
 * answers on its HTTP port, health and metrics on the side port, SIGTERM exits 0.
 */
import { scrapeMetrics, stopAll, waitForHttp } from '@fopnp/net/testing';
import { afterAll, expect, it } from 'vitest';
import { deleteAllUnder, startCli, uniquePrefix, waitUntil } from './helpers.js';

const prefix = uniquePrefix('serve');

afterAll(async () => {
  await stopAll();
  await deleteAllUnder(prefix);
});

it('runs every role, serves the estimate, health and metrics, and stops on SIGTERM', async () => {
  const p = startCli(['serve'], {
    ROLE: 'all',
    AMQP_PREFIX: prefix,
    PORT: '0',
    HOST: '127.0.0.1',
    HEALTH_PORT: '0',
    HEALTH_HOST: '127.0.0.1',
    POINTS: '2000',
    RATE: '0',
    LOG_LEVEL: 'info',
    CI: '1',
  });
  const [, healthPort] = await p.waitForOutput(/"healthPort":(\d+)/);
  const [, port] = await p.waitForOutput(/"port":(\d+)[^\n]*tally listening/);
  await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`);
  let count = 0;
  await waitUntil(
    async () => {
      const s = (await (await fetch(`http://127.0.0.1:${port}/estimate`)).json()) as { count: number };
      count = s.count;
      return count >= 2000;
    },
    30_000,
    'tally to count 2000 points',
  );
  expect(count).toBe(2000);
  const ready = (await (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).json()) as {
    checks: Record<string, { status: string }>;
  };
  expect(ready.checks.rabbitmq?.status).toBe('ok');
  // tally counts a decision at once but acks it only after its next save (≤ 20 ms later).
  const acked =
    /rabbit_pipeline_consumed_total\{queue="[^"]+\.decisions",outcome="ack",service="rabbit-pipeline"\} 2000/;
  let metrics = '';
  await waitUntil(
    async () => {
      metrics = (await scrapeMetrics(`http://127.0.0.1:${healthPort}`)).text;
      return acked.test(metrics);
    },
    5_000,
    'the 2000 decisions to be acked after their save',
  );
  expect(metrics).toMatch(/rabbit_pipeline_tally_points\{service="rabbit-pipeline"\} 2000/);
  expect(metrics).toMatch(/rabbit_pipeline_pi_estimate\{service="rabbit-pipeline"\} 3\.\d+/);
  expect(metrics).toMatch(/rabbit_pipeline_connected\{service="rabbit-pipeline"\} 1/);
  expect(await p.stop('SIGTERM')).toBe(0);
});
