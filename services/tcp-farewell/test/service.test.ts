import net from 'node:net';
import { scrapeMetrics, startServe, stopAll, waitForHttp, waitForPort } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackgroundProcess, CLI, runPython, TCP_SIXTEEN } from './helpers.js';

let port: number;
let healthPort: number;
let service: BackgroundProcess;

beforeAll(async () => {
  const started = await startServe(CLI, { IDLE_TIMEOUT_MS: '5000', LOG_LEVEL: 'info' });
  ({ port, healthPort, proc: service } = started);
  await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`);
  await waitForPort(port);
});
afterAll(stopAll);

/** One sample of /metrics, e.g. metric('tcp_farewell_errors_total{kind="incomplete_read"'). */
async function metric(prefix: string): Promise<number> {
  return (await scrapeMetrics(`http://127.0.0.1:${healthPort}`)).value(prefix);
}

describe('tcp-farewell serve', () => {
  it('answers fifty clients held open at once, greeted last-first', async () => {
    const before = await metric('tcp_farewell_farewells_total');
    // The book's server, serving one connection at a time, would never reach the last.
    const result = await runPython('many_clients.py', ['127.0.0.1', String(port), '50']);

    expect(result.stdout).toBe('50 farewells of 50\n');
    expect((await metric('tcp_farewell_farewells_total')) - before).toBe(50);
  });

  it('counts connections, bytes both ways and errors by kind', async () => {
    const before = {
      connections: await metric('tcp_farewell_connections_total'),
      received: await metric('tcp_farewell_received_bytes_total'),
      sent: await metric('tcp_farewell_sent_bytes_total'),
      incomplete: await metric('tcp_farewell_errors_total{kind="incomplete_read"'),
    };
    await runPython(TCP_SIXTEEN, ['client', '127.0.0.1', '-p', String(port)]);
    await runPython('send_raw.py', ['127.0.0.1', String(port), Buffer.from('Hi').toString('hex')]);
    await waitForPort(port); // a port probe: connects and closes without a byte, not an error

    await expect.poll(() => metric('tcp_farewell_connections_active')).toBe(0);
    expect((await metric('tcp_farewell_connections_total')) - before.connections).toBe(3);
    expect((await metric('tcp_farewell_received_bytes_total')) - before.received).toBe(18);
    expect((await metric('tcp_farewell_sent_bytes_total')) - before.sent).toBe(16);
    expect((await metric('tcp_farewell_errors_total{kind="incomplete_read"')) - before.incomplete).toBe(1);
    expect(service.output()).toMatch(
      /"code":"FOPNP_ERR_INCOMPLETE_READ".*expected 16 bytes, received 2 before EOF/,
    );
  });

  it('on SIGTERM stops being ready, finishes the connection in flight, and exits 0', async () => {
    const inFlight = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => inFlight.once('connect', resolve));
    const reply = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      inFlight.on('data', (c) => chunks.push(c));
      inFlight.on('end', () => resolve(Buffer.concat(chunks)));
    });

    // Connected is not yet accepted: wait until the server holds the connection, or a
    // SIGTERM that wins the race closes the listener with it still in the accept queue.
    await expect.poll(() => metric('tcp_farewell_connections_active')).toBe(1);
    const exited = service.stop('SIGTERM');
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status).toBe(503);
    inFlight.end('Hi there, server');

    expect((await reply).toString('latin1')).toBe('Farewell, client');
    expect(await exited).toBe(0);
  });
});
