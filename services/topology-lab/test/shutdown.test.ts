/**
 * The lab's shutdown is never held by a broker that stopped answering. amqplib has no
 * deadline on a channel's calls, so a passive declare sent into a link that went silent
 * waited for ever, and SIGTERM waited for that poll: the compose end-to-end run saw the lab
 * killed (exit 137) where every other service exited 0.
 */
import net from 'node:net';
import { listen } from '@fopnp/net';
import { freePort, type ServeProcess, startServe, waitForHttp } from '@fopnp/net/testing';
import amqp from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { AMQP_URL, LAB_CLI, MANAGEMENT } from './stack.js';

/** A TCP relay to the broker that can go silent: it keeps every socket open and forwards nothing. */
class FreezableRelay {
  private server: net.Server | undefined;
  private readonly pairs: [net.Socket, net.Socket][] = [];
  forwarded = 0;
  constructor(private readonly target: URL) {}
  async open(): Promise<number> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(Number(this.target.port || 5672), this.target.hostname);
      for (const s of [client, upstream]) s.on('error', () => {});
      client.on('data', (d) => {
        this.forwarded += d.length;
        upstream.write(d);
      });
      upstream.on('data', (d) => client.write(d));
      this.pairs.push([client, upstream]);
    });
    return listen(this.server, 0, '127.0.0.1');
  }
  /** From now on nothing crosses, in either direction, on old or new connections. */
  freeze(): void {
    for (const [client, upstream] of this.pairs) {
      client.removeAllListeners('data');
      upstream.removeAllListeners('data');
      client.pause();
      upstream.pause();
    }
    this.server?.removeAllListeners('connection');
    this.server?.on('connection', (s: net.Socket) => {
      s.on('error', () => {});
      this.pairs.push([s, s]);
    });
  }
  close(): void {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.server?.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('shutdown', () => {
  const prefix = `labstop${process.pid}`;
  const queue = `${prefix}.points`;
  let relay: FreezableRelay | undefined;
  let lab: ServeProcess | undefined;

  afterAll(async () => {
    await lab?.proc.stop('SIGKILL');
    relay?.close();
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    await ch.deleteQueue(queue);
    await conn.close();
  });

  it('exits 0 on SIGTERM, within its deadline, while the broker link has gone silent', async () => {
    // A queue of the lab's prefix, so each poll passive-declares it over AMQP.
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    await ch.assertQueue(queue, { autoDelete: false, durable: false });
    await conn.close();

    relay = new FreezableRelay(new URL(AMQP_URL));
    const relayPort = await relay.open();
    const amqpUrl = new URL(AMQP_URL);
    amqpUrl.port = String(relayPort);
    const dead = await freePort();
    lab = await startServe(LAB_CLI, {
      RABBITMQ_MANAGEMENT_URL: MANAGEMENT,
      AMQP_URL: amqpUrl.toString(),
      AMQP_PREFIX: prefix,
      REDIS_URL: `redis://127.0.0.1:${dead}`,
      TALLY_URL: `http://127.0.0.1:${dead}`,
      POLL_MS: '200',
      SHUTDOWN_TIMEOUT_MS: '8000',
      LOG_LEVEL: 'info',
    });
    await waitForHttp(`${lab.healthUrl}/readyz`, { timeoutMs: 20_000 });
    // The page's stream keeps the lab polling every 200 ms; its passive declares cross the relay.
    const events = await fetch(`${lab.url}/api/events`);
    const before = relay.forwarded;
    for (let i = 0; i < 200 && relay.forwarded < before + 200; i++) await sleep(100);
    expect(relay.forwarded, 'passive declares crossed the relay').toBeGreaterThan(before + 200);

    relay.freeze();
    await sleep(1_000); // a poll is now waiting on the silent link
    const t0 = performance.now();
    const code = await lab.proc.stop('SIGTERM');
    const tookMs = performance.now() - t0;
    await events.body?.cancel().catch(() => {});
    expect(code, lab.proc.output()).toBe(0);
    // Under the 8 s deadline: the poll's own 2 s deadline, the close's 3 s bound at most.
    expect(tookMs).toBeLessThan(7_000);
    expect(lab.proc.output()).toContain('shutdown complete');
  }, 60_000);
});
