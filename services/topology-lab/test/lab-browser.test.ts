/**
 * The lab in Chromium over a real pipeline (rabbit-pipeline's roles on the shared
 * RabbitMQ under a unique prefix), a Redis server of the test's own and the control
 * endpoint: what the page shows is checked against the real system (rabbitmqctl,
 * redis-cli, the process table), and every action is clicked on the page.
 */
import { run, sleep } from '@fopnp/net/testing';
import { pipelineNames, pipelineTopology } from '@fopnp/rabbit-pipeline';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChromium } from './browser.js';
import { cell, click, pageErrorsOf, runScenario, shotsDir, until } from './page.js';
import { type LabStack, startLabStack } from './stack.js';

const SHOTS = `${shotsDir()}/`;

/** messages_ready and consumers of a queue, as rabbitmqctl reports them. */
async function brokerQueue(name: string): Promise<{ ready: number; consumers: number }> {
  const r = await run(
    'rabbitmqctl',
    ['-q', 'list_queues', 'name', 'messages_ready', 'consumers', '--no-table-headers'],
    {
      timeoutMs: 30_000,
    },
  );
  const line = r.stdout.split('\n').find((l) => l.split(/\s+/)[0] === name);
  if (!line) throw new Error(`rabbitmqctl does not list ${name}`);
  const [, ready, consumers] = line.trim().split(/\s+/);
  return { ready: Number(ready), consumers: Number(consumers) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function pageCount(page: Page): Promise<number | null> {
  const text = (await page.textContent('#pi-text')) ?? '';
  const m = /after ([\d,]+) points/.exec(text);
  return m ? Number(m[1]!.replaceAll(',', '')) : null;
}

function runningPids(stack: LabStack, unit: string): number[] {
  const u = stack.control.list().find((x) => x.name === unit)!;
  return u.instances.filter((i) => i.state === 'running').map((i) => i.pid!);
}

describe('topology-lab in Chromium over a real pipeline', () => {
  let stack: LabStack;
  let browser: Browser;
  let page: Page;
  let pageErrors: () => string;

  beforeAll(async () => {
    stack = await startLabStack();
    browser = await openChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    pageErrors = pageErrorsOf(page);
    await page.goto(stack.lab.url);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 60_000);

  it('draws every declared exchange and queue and the roles, under the strict CSP without errors', async () => {
    const declared = pipelineTopology(stack.prefix);
    const want = [
      ...declared.exchanges.map((x) => `x:${x.name}`),
      ...declared.queues.map((q) => `q:${q.name}`),
      ...['bitsource', 'always-yes', 'judge', 'pythagoras', 'tally'].map((r) => `role:${r}`),
      'g:rabbitmq',
      'g:redis',
      `redis:127.0.0.1:${stack.redisPort}`,
    ];
    const drawn = await until('the graph with every declared node', async () => {
      const ids = ((await page.getAttribute('#graph', 'data-nodes')) ?? '').split(' ');
      return want.every((id) => ids.includes(id)) ? ids : undefined;
    });
    expect(drawn).toEqual(expect.arrayContaining(want));
    for (const q of declared.queues)
      await until(
        `${q.name} declared and on the broker`,
        async () => (await cell(page, 'queues', q.name, 8)) === 'yes',
      );
    // The judge queue's consumer, as the broker itself reports it, is on the page.
    const n = pipelineNames(stack.prefix);
    await until(
      'one consumer on the judge queue, on the page',
      async () => (await cell(page, 'queues', n.judge, 3)) === '1',
    );
    expect((await brokerQueue(n.judge)).consumers).toBe(1);
    // The connections behind the consumers, as the broker lists them (rabbitmqctl).
    const brokerConnections = (
      await run('rabbitmqctl', ['-q', 'list_connections', 'name', '--no-table-headers'], {
        timeoutMs: 30_000,
      })
    ).stdout
      .split('\n')
      .map((l) => l.trim());
    const shown = await until('the connections table', async () => {
      const rows = await page.$$eval('#connections tbody tr td:first-child', (tds) =>
        tds.map((t) => t.textContent ?? ''),
      );
      return rows.length >= 4 ? rows : undefined; // tally, pythagoras, judge, always-yes at least
    });
    for (const c of shown) expect(brokerConnections).toContain(c);
    expect(await page.textContent('#connections')).toContain(`${n.judge} (prefetch`);
    await page.locator('#topology').screenshot({ path: `${SHOTS}topology.png` });
    expect(pageErrors()).toBe('');
  }, 60_000);

  it('shows the numbers moving while the pipeline runs: tally counts up on the page as on its own port', async () => {
    const first = await until('a first count on the page', () =>
      pageCount(page).then((c) => (c ? c : undefined)),
    );
    const later = await until('the count to grow by 100', async () => {
      const c = await pageCount(page);
      return c !== null && c >= first + 100 ? c : undefined;
    });
    const own = (await (await fetch(`http://127.0.0.1:${stack.tallyPort}/estimate`)).json()) as {
      count: number;
    };
    expect(own.count).toBeGreaterThanOrEqual(later);
    await sleep(1500); // a few more points on the chart
    await page.locator('#pi').screenshot({ path: `${SHOTS}pi.png` });
  }, 40_000);

  it("shows published against counted: each number as the broker's management API and tally report it", async () => {
    const n = pipelineNames(stack.prefix);
    const mgmt = async <T>(path: string): Promise<T> =>
      (await (
        await fetch(`http://127.0.0.1:15672${path}`, {
          headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
        })
      ).json()) as T;
    type Stats = { message_stats?: { publish_in?: number; ack?: number } };
    const published = async () =>
      (await mgmt<Stats>(`/api/exchanges/%2F/${encodeURIComponent(n.points)}`)).message_stats?.publish_in ??
      0;
    const judged = async () =>
      (await mgmt<Stats>(`/api/queues/%2F/${encodeURIComponent(n.judge)}`)).message_stats?.ack ?? 0;
    const tallied = async () =>
      ((await (await fetch(`http://127.0.0.1:${stack.tallyPort}/estimate`)).json()) as { count: number })
        .count;
    const shown = async (row: string) => {
      const t = await cell(page, 'accounting', row, 1);
      return t === null || t === '–' ? null : Number(t.replaceAll(',', ''));
    };
    // The numbers move, so each is caught between two readings of its source: at least the
    // source's value before, at most its value after.
    const sandwich = async (row: string, source: () => Promise<number>) => {
      const low = await source();
      expect(low, `${row} has started counting`).toBeGreaterThan(0);
      const seen = await until(
        `${row} ≥ ${low} on the page`,
        async () => {
          const v = await shown(row);
          return v !== null && v >= low ? v : undefined;
        },
        20_000,
      );
      expect(seen, row).toBeLessThanOrEqual(await source());
    };
    await until('the broker to have counted publishes', async () => (await published()) > 0, 20_000);
    await sandwich('published to the points exchange', published);
    await until('the broker to have counted judge acks', async () => (await judged()) > 0, 20_000);
    await sandwich('acked by the judges', judged);
    await sandwich('counted by tally', tallied);
    const dead = (await brokerQueue(n.deadLetters)).ready;
    await until('the dead letters on the page', async () => (await shown('dead letters (ready)')) === dead);
    const rate = await shown('bitsource rate, points/s');
    expect(rate).not.toBeNull();
    expect(rate!).toBeGreaterThan(20); // bitsource runs at 100 points/s here
    expect(rate!).toBeLessThan(200);
    await page.locator('#pi').screenshot({ path: `${SHOTS}accounting.png` });
  }, 60_000);

  it('adds a judge, SIGKILLs one and SIGTERMs one from the page: the process table and the broker follow', async () => {
    const q = pipelineNames(stack.prefix).judge;
    expect(runningPids(stack, 'judge')).toHaveLength(1);
    await click(page, 'judge.add');
    const pids = runningPids(stack, 'judge');
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    await until(
      'two consumers on the judge queue (rabbitmqctl)',
      async () => (await brokerQueue(q)).consumers === 2,
      20_000,
    );
    await until('two consumers on the page', async () => (await cell(page, 'queues', q, 3)) === '2');

    await click(page, 'judge.kill');
    const killed = pids.filter((p) => !runningPids(stack, 'judge').includes(p));
    expect(killed).toHaveLength(1);
    expect(alive(killed[0]!)).toBe(false);
    await until(
      'one consumer on the judge queue (rabbitmqctl)',
      async () => (await brokerQueue(q)).consumers === 1,
      20_000,
    );
    await until('one consumer on the page', async () => (await cell(page, 'queues', q, 3)) === '1');
    expect(await page.locator('#markers li[data-action="judge.kill"]').first().textContent()).toMatch(
      /SIGKILL sent to judge-\d+ \(pid \d+\)/,
    );

    // SIGTERM: a judge added again stops gracefully (its consumer cancelled, the process gone).
    await click(page, 'judge.add');
    await until(
      'two consumers on the page again',
      async () => (await cell(page, 'queues', q, 3)) === '2',
      20_000,
    );
    const two = runningPids(stack, 'judge');
    await click(page, 'judge.term');
    const termed = two.filter((p) => !runningPids(stack, 'judge').includes(p));
    expect(termed).toHaveLength(1);
    expect(alive(termed[0]!)).toBe(false);
    await until(
      'one consumer on the judge queue again (rabbitmqctl)',
      async () => (await brokerQueue(q)).consumers === 1,
      20_000,
    );
  }, 60_000);

  it('stops tally from the page (decisions pile up, shown growing) and starts it again (it resumes its count)', async () => {
    const decisions = pipelineNames(stack.prefix).decisions;
    const [pid] = runningPids(stack, 'tally');
    const countBefore = (await pageCount(page))!;
    await click(page, 'tally.stop');
    expect(alive(pid!)).toBe(false);
    const state = async () =>
      (
        (await (await fetch(`${stack.lab.url}/api/state`)).json()) as {
          pipeline: { tally: { health: string } };
        }
      ).pipeline.tally.health;
    await until('the lab to report tally down', async () => (await state()) === 'down', 5_000);
    await until('the page to say tally is down', async () =>
      ((await page.textContent('#pi-text')) ?? '').includes('tally is down'),
    );
    await until(
      'decisions piling up on the broker',
      async () => (await brokerQueue(decisions)).ready >= 100,
      20_000,
    );
    await until(
      'the page to show the decisions queue growing',
      async () => (await cell(page, 'queues', decisions, 7)) === 'growing',
    );
    await page.locator('#topology').screenshot({ path: `${SHOTS}tally-stopped.png` });

    const peak = (await brokerQueue(decisions)).ready;
    await click(page, 'tally.start');
    const resumed = await until(
      'tally back on the page',
      () => pageCount(page).then((c) => (c ? c : undefined)),
      20_000,
    );
    // From its state file, not from 0: at least what it had counted when it was stopped.
    expect(resumed).toBeGreaterThanOrEqual(countBefore);
    await until(
      'the decisions queue to drain below half its peak (rabbitmqctl)',
      async () => (await brokerQueue(decisions)).ready < peak / 2,
      45_000,
    );
    await page.locator('#actions').screenshot({ path: `${SHOTS}actions.png` });
  }, 90_000);

  it('publishes a malformed point from the page: it lands in the dead-letter queue (rabbitmqctl) and on the page', async () => {
    const dlq = pipelineNames(stack.prefix).deadLetters;
    const before = (await brokerQueue(dlq)).ready;
    await click(page, 'pipeline.malformed');
    expect(await page.locator('#markers li[data-action="pipeline.malformed"]').textContent()).toMatch(
      /confirmed by the broker/,
    );
    await until(
      'the message in the dead-letter queue (rabbitmqctl)',
      async () => (await brokerQueue(dlq)).ready === before + 1,
      20_000,
    );
    await until(
      'the page to count it',
      async () => (await cell(page, 'queues', dlq, 1)) === String(before + 1),
    );
  }, 40_000);

  it("closes a judge's AMQP connection from the page: the broker drops it and the same judge reconnects", async () => {
    const q = pipelineNames(stack.prefix).judge;
    const [judgePid] = runningPids(stack, 'judge');
    await click(page, 'pipeline.close-judge-connection');
    const detail =
      (await page
        .locator('#markers li[data-action="pipeline.close-judge-connection"]')
        .first()
        .textContent()) ?? '';
    const closed = /closed (.+) \(consumer of/.exec(detail)?.[1];
    expect(closed, detail).toBeTruthy();
    const connections = async () =>
      (
        await run('rabbitmqctl', ['-q', 'list_connections', 'name', '--no-table-headers'], {
          timeoutMs: 30_000,
        })
      ).stdout
        .split('\n')
        .map((l) => l.trim());
    await until(
      'the closed connection gone (rabbitmqctl)',
      async () => !(await connections()).includes(closed!),
    );
    await until(
      'the judge consuming again (rabbitmqctl)',
      async () => (await brokerQueue(q)).consumers === 1,
      30_000,
    );
    expect(runningPids(stack, 'judge')).toEqual([judgePid]); // the same process: it reconnected
    expect(alive(judgePid!)).toBe(true);
  }, 60_000);

  it('stops a Redis server from the page (redis-cli gets no answer, the page shows it down) and starts it again', async () => {
    const address = `127.0.0.1:${stack.redisPort}`;
    await until(
      'the Redis server up on the page',
      async () => (await cell(page, 'redis-nodes', address, 1)) === 'up',
    );
    await run('redis-cli', ['-p', String(stack.redisPort), 'set', 'tl-test:key', 'v']);
    await until(
      'its key counted on the page',
      async () => (await cell(page, 'redis-nodes', address, 3)) === '1',
    );
    // The cluster node's slots: all 16,384 on the bar, owned by it.
    await until(
      'the slot map',
      async () => (await page.getAttribute('#slot-bar', 'data-covered')) === '16384',
    );
    expect(await page.textContent('#slot-legend')).toContain(`127.0.0.1:${stack.clusterPort} 0–16383`);
    expect(await cell(page, 'redis-nodes', `127.0.0.1:${stack.clusterPort}`, 7)).toBe('0–16383');
    await page.locator('#redis').screenshot({ path: `${SHOTS}redis.png` });
    await click(page, 'redis-shard-0.stop');
    const ping = await run('redis-cli', ['-p', String(stack.redisPort), 'ping']);
    expect(ping.stdout + ping.stderr).toMatch(/refused|Could not connect/i);
    await until('the page to show it down', async () =>
      (await cell(page, 'redis-nodes', address, 1))?.startsWith('down'),
    );
    await click(page, 'redis-shard-0.start');
    await until(
      'redis-cli PONG',
      async () => (await run('redis-cli', ['-p', String(stack.redisPort), 'ping'])).stdout.trim() === 'PONG',
    );
    await until(
      'the page to show it up again',
      async () => (await cell(page, 'redis-nodes', address, 1)) === 'up',
      20_000,
    );
  }, 60_000);

  it("shows RabbitMQ's management API down while it is unreachable, and recovers by itself", async () => {
    await stack.relay.cut();
    await until(
      'the page to show RabbitMQ down',
      async () => (await page.getAttribute('#rabbit-health', 'class')) === 'down',
    );
    expect(await page.textContent('#rabbit-health')).toMatch(/RabbitMQ down: management API/);
    // The lab itself stays alive (and says it is degraded rather than failing its probe).
    expect((await fetch(`${stack.lab.healthUrl}/healthz`)).status).toBe(200);
    await page.locator('#topology').screenshot({ path: `${SHOTS}rabbitmq-down.png` });
    await stack.relay.open();
    await until(
      'the page to show RabbitMQ up again',
      async () => (await page.getAttribute('#rabbit-health', 'class')) === 'up',
    );
  }, 40_000);

  it("runs 'kill a judge under load' from the page: the broker redelivers the dead judge's points and every point published is counted", async () => {
    const n = pipelineNames(stack.prefix);
    const timeline = await runScenario(page, 'judge-kill', 150_000);
    const text = timeline.join('\n');
    expect(text).toMatch(/SIGKILL sent to slow-judge-\d+ \(pid (\d+)\)/);
    const killed = Number(/SIGKILL sent to slow-judge-\d+ \(pid (\d+)\)/.exec(text)![1]);
    expect(alive(killed)).toBe(false);
    expect(runningPids(stack, 'slow-judge')).toEqual([]);
    expect(text).toMatch(/\d+ points redelivered to the remaining judge/);
    // The broker's own counters say the same: redeliveries on the judge queue.
    const q = (await (
      await fetch(`http://127.0.0.1:15672/api/queues/%2F/${encodeURIComponent(n.judge)}`, {
        headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
      })
    ).json()) as { message_stats?: { redeliver?: number } };
    expect(q.message_stats?.redeliver ?? 0).toBeGreaterThan(0);
    // Published = counted + dead letters, when bitsource was paused; the dead letters are the
    // ones rabbitmqctl lists, and tally has counted at least as many points since.
    const m = /published (\d+); counted (\d+) \+ dead letters (\d+): nothing lost/.exec(text);
    expect(m, text).not.toBeNull();
    expect(Number(m![2]) + Number(m![3])).toBeGreaterThanOrEqual(Number(m![1]));
    expect(Number(m![3])).toBe((await brokerQueue(n.deadLetters)).ready);
    const own = (await (await fetch(`http://127.0.0.1:${stack.tallyPort}/estimate`)).json()) as {
      count: number;
    };
    expect(own.count).toBeGreaterThanOrEqual(Number(m![2]));
    // bitsource runs again and the judge queue has its one judge.
    expect(runningPids(stack, 'bitsource')).toHaveLength(1);
    await until(
      'one consumer on the judge queue (rabbitmqctl)',
      async () => (await brokerQueue(n.judge)).consumers === 1,
      20_000,
    );
    await page.locator('#scenarios').screenshot({ path: `${SHOTS}scenario-judge-kill.png` });
  }, 180_000);

  it('links every service endpoint and the management UI, and lists every service', async () => {
    const links = await page.$$eval('#services a', (as) => as.map((a) => a.getAttribute('href')));
    // On the host the page was loaded from; the management UI is the port the lab was given.
    expect(links).toContain(`http://127.0.0.1:${stack.relay.port}/`);
    for (const path of ['/readyz', '/healthz', '/metrics'])
      expect(links.some((l) => l.endsWith(`:9106${path}`))).toBe(true);
    expect(links).toContain('http://127.0.0.1:8006/');
    const names = await page.$$eval('#service-table tbody tr td:first-child', (tds) =>
      tds.map((t) => t.textContent),
    );
    expect(names).toEqual(
      expect.arrayContaining(['rabbit-pipeline', 'redis-cache', 'topology-lab', 'tcp-farewell']),
    );
    await page.locator('#services').screenshot({ path: `${SHOTS}services.png` });
    expect(pageErrors()).toBe('');
  });
});
