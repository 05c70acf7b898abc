/**
 * Hostile clients (issue 21): what one client can do to everybody else. The descriptor
 * test runs the real `serve` under `prlimit --nofile=128`, as the attack was found.
 */
import { readdirSync } from 'node:fs';
import type net from 'node:net';
import { cliTestKit, freePort, startProcess, stopAll, waitForHttp } from '@fopnp/net/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { REPLIES, ZenClient, type ZenServer } from '../src/index.js';
import { listening, rawConnect, readAnswers, waitFor } from './helpers.js';

const { CLI: cli } = cliTestKit(import.meta.url);

let servers: ZenServer[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.map((s) => s.close(200)));
  servers = [];
});
afterAll(stopAll);

/** Everything the socket receives until it closes, or what came so far once `ms` pass. */
function readUntilClosed(socket: net.Socket, ms: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve({ text, closed: false }), ms);
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
    });
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

const openDescriptors = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

describe('a client whose question runs past the limit', () => {
  it('is released as soon as it hangs up: 150 of them under a limit of 128 descriptors leave the server and its health port answering', async () => {
    const port = await freePort();
    const healthPort = await freePort();
    const serve = startProcess('prlimit', ['--nofile=128:128', process.execPath, cli, 'serve'], {
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        HEALTH_PORT: String(healthPort),
        HEALTH_HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
      },
    });
    await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`, { timeoutMs: 15_000 });
    const pid = serve.child.pid!;
    const baseline = openDescriptors(pid);
    let refusedProperly = 0;
    // 15 waves of 10: each client sends 100 kB without a '?' (more than the server reads
    // at once, so some stay unread in its kernel buffer), reads the error line and hangs up.
    for (let wave = 0; wave < 15; wave++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const s = await rawConnect(port);
          sockets.push(s);
          const got = readUntilClosed(s, 3_000);
          s.write('x'.repeat(100_000));
          const r = await got;
          s.destroy();
          return r;
        }),
      );
      refusedProperly += results.filter((r) => r.closed && r.text === REPLIES.tooLong(4096)).length;
    }
    // Under the limit every one of them got its error line and a close.
    expect(refusedProperly).toBe(150);
    // What they held is given back: descriptors return to where they were.
    await waitFor(() => openDescriptors(pid) <= baseline + 2, 5_000, 'the descriptors to be released');
    const client = await ZenClient.connect('127.0.0.1', port, { timeoutMs: 5_000 });
    expect(await client.ask('Beautiful is better than?')).toBe('Ugly.');
    await client.close();
    const health = await fetch(`http://127.0.0.1:${healthPort}/healthz`, {
      signal: AbortSignal.timeout(5_000),
    });
    expect(health.status).toBe(200);
    await serve.stop();
  }, 90_000);

  it('has its connection closed at once after the error line, even if it never hangs up itself', async () => {
    const { zen, port } = await listening();
    servers.push(zen);
    const s = await rawConnect(port);
    sockets.push(s);
    s.setTimeout(0);
    const got = readUntilClosed(s, 5_000);
    s.write('x'.repeat(100_000));
    // the client keeps its side open and keeps writing garbage: the server must not wait
    const garbage = setInterval(() => s.writable && s.write('y'), 50);
    try {
      const r = await got;
      expect(r.text.startsWith(REPLIES.tooLong(4096))).toBe(true);
      expect(r.closed).toBe(true);
      await waitFor(() => zen.stats.openConnections === 0, 3_000, 'the server to let go of the socket');
    } finally {
      clearInterval(garbage);
    }
  });
});

describe('a client that never completes its question (slowloris)', () => {
  it('is cut off with an error line once the question timeout passes, though every byte resets the idle timer', async () => {
    const { zen, port } = await listening({ questionTimeoutMs: 600, idleTimeoutMs: 60_000 });
    servers.push(zen);
    const s = await rawConnect(port);
    sockets.push(s);
    const got = readUntilClosed(s, 6_000);
    const started = performance.now();
    let i = 0;
    const drip = setInterval(() => s.writable && s.write('Beautiful is better than'[i++ % 24]!), 100);
    try {
      const r = await got;
      expect(r.closed).toBe(true);
      expect(r.text).toBe(REPLIES.questionTimeout(600));
      expect(performance.now() - started).toBeGreaterThanOrEqual(500);
      expect(zen.stats.errors.question_timeout).toBe(1);
      expect(zen.stats.errors.idle_timeout).toBe(0);
    } finally {
      clearInterval(drip);
    }
  });

  it('cuts off whitespace dripped a byte at a time as well', async () => {
    const { zen, port } = await listening({ questionTimeoutMs: 400 });
    servers.push(zen);
    const s = await rawConnect(port);
    sockets.push(s);
    const got = readUntilClosed(s, 6_000);
    const drip = setInterval(() => s.writable && s.write(' '), 50);
    try {
      expect(await got).toEqual({ text: REPLIES.questionTimeout(400), closed: true });
    } finally {
      clearInterval(drip);
    }
  });

  it('does not cut off a person typing one question a line, thinking between lines', async () => {
    const { zen, port } = await listening({ questionTimeoutMs: 300 });
    servers.push(zen);
    const s = await rawConnect(port);
    sockets.push(s);
    const answers = readAnswers(s, 2, 6_000);
    s.write('Beautiful is better than?\n');
    await new Promise((r) => setTimeout(r, 700));
    s.write('Simple is better than?\n');
    expect(await answers).toEqual(['Ugly.', 'Complex.']);
    expect(zen.stats.errors.question_timeout).toBe(0);
  });

  it('keeps a question split across reads, answering it when its last byte comes in time', async () => {
    const { zen, port } = await listening({ questionTimeoutMs: 5_000 });
    servers.push(zen);
    const s = await rawConnect(port);
    sockets.push(s);
    const answers = readAnswers(s, 3, 6_000);
    s.write('Beautiful is bet');
    await new Promise((r) => setTimeout(r, 50));
    s.write('ter than?Simple is better than?Explicit');
    await new Promise((r) => setTimeout(r, 50));
    s.write(' is better than?');
    expect(await answers).toEqual(['Ugly.', 'Complex.', 'Implicit.']);
  });
});
