import net from 'node:net';
import { capturingLogger } from '@fopnp/net/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { APHORISMS, REPLIES, ZenClient, type ZenServer } from '../src/index.js';
import { listening, rawConnect, readAnswers, readToEnd, waitFor } from './helpers.js';

let servers: ZenServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close(200)));
  servers = [];
});

async function start(options: Parameters<typeof listening>[0] = {}) {
  const started = await listening(options);
  servers.push(started.zen);
  return started;
}

describe('a conversation with the loop server', () => {
  it('answers pipelined questions sent in one write, each in order', async () => {
    const { port } = await start();
    const socket = await rawConnect(port);
    const all = [...APHORISMS, ['Unknown is better than?', REPLIES.unknown] as const, ...APHORISMS];
    socket.write(all.map(([q]) => q).join(''));
    expect(await readAnswers(socket, all.length)).toEqual(all.map(([, a]) => a));
    socket.destroy();
  });

  it('answers a question that arrives one byte per write', async () => {
    const { port } = await start();
    const socket = await rawConnect(port);
    const received = readAnswers(socket, 2);
    for (const byte of 'Sparse is better than?Practicality beats?') {
      socket.write(byte);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(await received).toEqual(['Dense.', 'Purity.']);
    socket.destroy();
  });

  it('answers everything a client sent before shutting down its side, then closes', async () => {
    const { port } = await start();
    const socket = await rawConnect(port);
    const everything = readToEnd(socket);
    socket.end('Now is better than?Flat is better than?');
    expect(await everything).toBe('Never.Nested.');
  });

  it('does not let a client sending one byte at a time delay a fast one', async () => {
    const { port, zen } = await start();
    const slow = await rawConnect(port);
    const slowQuestion = 'Beautiful is better than?';
    let sentSlow = 0;
    const drip = setInterval(() => {
      if (sentSlow < slowQuestion.length) slow.write(slowQuestion[sentSlow++]!);
    }, 200);
    try {
      await waitFor(() => sentSlow >= 2, 3_000, 'the slow client to start');
      const fast = await ZenClient.connect('127.0.0.1', port);
      const started = performance.now();
      for (let i = 0; i < 100; i++) {
        const [q, a] = APHORISMS[i % APHORISMS.length]!;
        expect(await fast.ask(q)).toBe(a);
      }
      const elapsed = performance.now() - started;
      await fast.close();
      // 100 round trips on loopback take milliseconds (the bound leaves room for a
      // loaded CI machine); the slow question alone takes 5 s to arrive.
      expect(elapsed).toBeLessThan(2_000);
      expect(sentSlow).toBeLessThan(slowQuestion.length);
      expect(zen.stats.openConnections).toBeGreaterThanOrEqual(1);
    } finally {
      clearInterval(drip);
      slow.destroy();
    }
  });

  it('replies with an error and closes when a question passes 4 KiB without a question mark', async () => {
    const { lines, logger } = capturingLogger('zen-asyncio-test');
    const { port, zen } = await start({ logger });
    const socket = await rawConnect(port);
    const everything = readToEnd(socket);
    socket.write('Beautiful is better than?');
    socket.write('x'.repeat(4097)); // one byte over the limit
    expect(await everything).toBe(`Ugly.${REPLIES.tooLong(4096)}`);
    expect(zen.stats.errors.question_too_long).toBe(1);
    expect(lines().some((l) => l.msg === 'question too long: replied with an error and closed')).toBe(true);
  });

  it('accepts a question of exactly 4096 bytes before its question mark', async () => {
    const { port } = await start();
    const socket = await rawConnect(port);
    socket.write(`${'x'.repeat(4096)}?`);
    expect(await readAnswers(socket, 1)).toEqual([REPLIES.unknown]);
    socket.destroy();
  });

  it('closes a connection that stays silent past the idle timeout', async () => {
    const { lines, logger } = capturingLogger('zen-asyncio-test');
    const { port, zen } = await start({ idleTimeoutMs: 300, logger });
    const socket = await rawConnect(port);
    const opened = performance.now();
    socket.write('Flat is better than?');
    const everything = readToEnd(socket);
    expect(await everything).toBe('Nested.');
    const lasted = performance.now() - opened;
    expect(lasted).toBeGreaterThanOrEqual(250);
    expect(lasted).toBeLessThan(3_000);
    expect(zen.stats.errors.idle_timeout).toBe(1);
    expect(lines().some((l) => l.msg === 'closing idle connection')).toBe(true);
  });

  it('refuses connections past the cap with a busy reply and says so once in the log', async () => {
    const { lines, logger } = capturingLogger('zen-asyncio-test');
    const { port, zen } = await start({ maxConnections: 2, logger });
    const a = await rawConnect(port);
    const b = await rawConnect(port);
    await waitFor(() => zen.stats.openConnections === 2);
    const refused = await Promise.all([rawConnect(port), rawConnect(port)]);
    expect(await Promise.all(refused.map(readToEnd))).toEqual([REPLIES.busy, REPLIES.busy]);
    expect(zen.stats.errors.connection_limit).toBe(2);
    const warnings = lines().filter((l) => String(l.msg).startsWith('connection limit of 2 reached'));
    expect(warnings).toHaveLength(1);
    // the two admitted clients are still served
    a.write('Simple is better than?');
    expect(await readAnswers(a, 1)).toEqual(['Complex.']);
    a.destroy();
    b.destroy();
    await waitFor(() => zen.stats.openConnections === 0);
    const again = await rawConnect(port);
    again.write('Simple is better than?');
    expect(await readAnswers(again, 1)).toEqual(['Complex.']);
    again.destroy();
  });

  it('drops a refused client that never closes its side instead of holding its descriptor', async () => {
    // idleTimeoutMs 1000 gives the refused client 1 s before it is dropped: room to see it
    // held on a loaded machine, where 300 ms could pass before the first look.
    const { port, zen } = await start({ maxConnections: 1, idleTimeoutMs: 1_000 });
    const holder = await rawConnect(port);
    const keepBusy = setInterval(() => holder.write('x'), 50); // slow, not idle
    let stubborn: net.Socket | undefined;
    try {
      await waitFor(() => zen.stats.openConnections === 1);
      stubborn = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      let reply = '';
      stubborn.on('data', (d: Buffer) => {
        reply += d.toString('latin1');
      });
      const connections = () =>
        new Promise<number>((resolve) => zen.server.getConnections((_, n) => resolve(n)));
      await waitFor(() => reply === REPLIES.busy, 2_000, 'the busy reply');
      expect(await connections()).toBe(2);
      const deadline = Date.now() + 3_000;
      while ((await connections()) > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await connections()).toBe(1);
      expect(zen.stats.openConnections).toBe(1);
    } finally {
      clearInterval(keepBusy);
      stubborn?.destroy();
      holder.destroy();
    }
  });

  it('logs a client that hangs up mid-question and keeps serving others', async () => {
    const { lines, logger } = capturingLogger('zen-asyncio-test');
    const { port, zen } = await start({ logger });
    const quitter = await rawConnect(port);
    quitter.end('Beautiful is better than');
    await waitFor(() => zen.stats.errors.closed_mid_question === 1);
    const line = lines().find((l) => l.msg === 'client closed the connection mid-question');
    expect(line).toMatchObject({ receivedBytes: 24 });
    const client = await ZenClient.connect('127.0.0.1', port);
    expect(await client.ask('Beautiful is better than?')).toBe('Ugly.');
    await client.close();
  });

  it('survives a client that resets the connection with answers still unsent', async () => {
    const { port, zen } = await start();
    const rude = await rawConnect(port);
    rude.write('Beautiful is better than?'.repeat(2000));
    rude.resetAndDestroy();
    await waitFor(() => zen.stats.openConnections === 0);
    const client = await ZenClient.connect('127.0.0.1', port);
    expect(await client.ask('Now is better than?')).toBe('Never.');
    await client.close();
  });

  it('counts answered questions, unknown ones and open connections', async () => {
    const { port, zen } = await start();
    const client = await ZenClient.connect('127.0.0.1', port);
    await client.ask('Beautiful is better than?');
    await client.ask('Who is better than?');
    expect(zen.stats).toMatchObject({ openConnections: 1, connectionsAccepted: 1, questionsAnswered: 1 });
    expect(zen.stats.errors.unknown_aphorism).toBe(1);
    await client.close();
    await waitFor(() => zen.stats.openConnections === 0);
  });
});
