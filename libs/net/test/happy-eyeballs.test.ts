/**
 * connect() with a name that resolves to several addresses: the fallback from one address
 * to the next (RFC 8305). No name here resolves to two addresses, so the resolver's answer
 * is the one thing replaced (dns.promises.lookup); every socket below is real, on loopback.
 */
import dns from 'node:dns';
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionRefusedError } from '../src/errors.js';
import { connect } from '../src/resolve.js';
import { freePort, stopAll } from '../src/testing/index.js';
import { startBlackhole } from './fixtures/blackhole.js';

const servers: net.Server[] = [];
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  for (const s of servers) s.close();
  await stopAll();
});

/** Makes `name` resolve to `addresses`, in this order, for the next lookups. */
function resolveTo(name: string, addresses: string[]) {
  const real = dns.promises.lookup;
  vi.spyOn(dns.promises, 'lookup').mockImplementation(((host: string, options: unknown) =>
    host === name
      ? Promise.resolve(addresses.map((address) => ({ address, family: net.isIP(address) })))
      : real(host, options as dns.LookupAllOptions)) as typeof dns.promises.lookup);
}

function listen(host: string, port = 0): Promise<number> {
  const server = net.createServer((sock) => {
    sock.on('error', () => {});
    sock.end();
  });
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

describe('connect to a name with several addresses', () => {
  it('moves on at once to the next address when the first refuses', async () => {
    const port = await listen('127.0.0.1');
    resolveTo('dual.test', ['127.0.0.2', '127.0.0.1']); // nothing listens on 127.0.0.2:port

    const started = Date.now();
    const socket = await connect('dual.test', port, { timeoutMs: 5_000, attemptDelayMs: 2_000 });
    const elapsed = Date.now() - started;
    const peer = socket.remoteAddress;
    socket.destroy();

    expect(peer).toBe('127.0.0.1');
    // Well before the 2 s stagger: the refusal, not the timer, started the second attempt.
    expect(elapsed).toBeLessThan(1_500);
  });

  it('starts the next address after the stagger delay while the first hangs, and uses it', async () => {
    // A full accept queue drops SYNs: connecting to it hangs like a dead address.
    const blackhole = await startBlackhole();
    const port = blackhole.port;
    await listen('127.0.0.2', port); // the same port on the second address answers
    resolveTo('dual.test', ['127.0.0.1', '127.0.0.2']);

    const started = Date.now();
    let peer: string | undefined;
    let elapsed: number;
    try {
      const socket = await connect('dual.test', port, { timeoutMs: 10_000, attemptDelayMs: 300 });
      elapsed = Date.now() - started;
      peer = socket.remoteAddress; // read at once: the server closes its side straight away
      socket.destroy();
    } finally {
      await blackhole.stop();
    }

    expect(peer).toBe('127.0.0.2');
    expect(elapsed).toBeGreaterThanOrEqual(290); // not before the stagger delay
    expect(elapsed).toBeLessThan(8_000); // and not by waiting out the overall timeout
  });

  it('names every address it tried when all of them fail', async () => {
    const port = await freePort();
    resolveTo('dual.test', ['127.0.0.2', '127.0.0.3']);

    const err = await connect('dual.test', port, { timeoutMs: 5_000 }).catch((e) => e);

    expect(err).toBeInstanceOf(ConnectionRefusedError);
    expect(err.message).toBe(
      `connection refused by 127.0.0.2:${port}: is the server running on that port? ` +
        '(tried 2 addresses of dual.test: 127.0.0.2, 127.0.0.3)',
    );
  });
});
