import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ZenServer } from '../src/index.js';
import { listening, rawConnect, readAnswers } from './helpers.js';

let servers: ZenServer[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.map((s) => s.close(200)));
  servers = [];
});

/** First client asks and stays connected; returns whether a second client is answered meanwhile. */
async function secondClientWhileFirstStaysOpen(mode: 'loop' | 'single') {
  const { zen, port } = await listening({ mode });
  servers.push(zen);
  const first = await rawConnect(port);
  sockets.push(first);
  first.write('Beautiful is better than?');
  expect(await readAnswers(first, 1)).toEqual(['Ugly.']);
  const second = await rawConnect(port);
  sockets.push(second);
  second.write('Explicit is better than?');
  const answered = readAnswers(second, 1, 5_000);
  const meanwhile = await Promise.race([
    answered.then(() => true),
    // generous for a loaded machine: loop mode answers in milliseconds, single never
    new Promise<boolean>((r) => setTimeout(() => r(false), 1_500)),
  ]);
  return { first, answered, meanwhile };
}

describe('conversation modes', () => {
  it('single mode serialises: a second client waits until the first one leaves', async () => {
    const { first, answered, meanwhile } = await secondClientWhileFirstStaysOpen('single');
    expect(meanwhile).toBe(false);
    const leftAt = performance.now();
    first.end();
    expect(await answered).toEqual(['Implicit.']);
    expect(performance.now() - leftAt).toBeLessThan(2_000);
  });

  it('loop mode does not: the second client is answered while the first stays connected', async () => {
    const { answered, meanwhile } = await secondClientWhileFirstStaysOpen('loop');
    expect(meanwhile).toBe(true);
    expect(await answered).toEqual(['Implicit.']);
  });

  it('single mode still drops a silent client at the idle timeout so the queue moves', async () => {
    const { zen, port } = await listening({ mode: 'single', idleTimeoutMs: 300 });
    servers.push(zen);
    const silent = await rawConnect(port);
    sockets.push(silent);
    const waiting = await rawConnect(port);
    sockets.push(waiting);
    waiting.write('Flat is better than?');
    expect(await readAnswers(waiting, 1, 3_000)).toEqual(['Nested.']);
    expect(zen.stats.errors.idle_timeout).toBeGreaterThanOrEqual(1);
  });
});
