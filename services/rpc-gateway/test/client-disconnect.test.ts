/**
 * A client that hangs up halfway through its request is routine (a timeout on its side, a
 * closed laptop): one line at debug level, no stack, no error, and the server goes on.
 */
import net from 'node:net';
import { capturingLogger } from '@fopnp/net/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { XmlRpcClient } from '../src/client.js';
import { type Listening, listen } from './helpers.js';

const log = capturingLogger('rpc-gateway', 'debug');
let server: Listening;

beforeAll(async () => {
  server = await listen({ logger: log.logger });
});
afterAll(() => server?.close());

/** Sends the headers and part of a body, then resets the connection; resolves once the server saw it go. */
async function hangUpMidBody(path: string): Promise<void> {
  const closed = new Promise<void>((resolve) =>
    server.server.once('connection', (s) => s.once('close', resolve)),
  );
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<?xml`,
  );
  await new Promise((r) => setTimeout(r, 50));
  socket.resetAndDestroy();
  await closed;
}

it('logs a client that hangs up mid-request once, at debug level, without a stack', async () => {
  await hangUpMidBody('/RPC2');
  await hangUpMidBody('/jsonrpc');
  // The handler's promise settles after the socket's close: wait for the lines (bounded).
  for (let i = 0; i < 100 && log.lines().length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  const lines = log.lines();
  expect(lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
  expect(lines).toHaveLength(2);
  for (const line of lines) {
    expect(line).toMatchObject({ level: 'debug', msg: 'client went away before the reply' });
    expect(JSON.stringify(line)).not.toMatch(/stack|at .*\(/);
  }
  expect(await new XmlRpcClient(server.url).call('system.listMethods')).toContain('system.multicall');
});
