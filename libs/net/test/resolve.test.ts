import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AddressInUseError,
  ConnectionRefusedError,
  classifyError,
  NameResolutionError,
  type NetErrorCode,
  reportFatal,
  TimeoutError,
} from '../src/errors.js';
import { connect, formatHostPort, resolveAll, withTimeout } from '../src/resolve.js';
import { freePort } from '../src/testing/index.js';
import { startBlackhole } from './fixtures/blackhole.js';

const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

function listen(host: string): Promise<number> {
  const server = net.createServer((sock) => {
    sock.on('error', () => {});
    sock.end('hello');
  });
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port)),
  );
}

describe('resolveAll', () => {
  it('returns an IP literal as itself with its family', async () => {
    expect(await resolveAll('::1')).toEqual([{ address: '::1', family: 6 }]);
    expect(await resolveAll('127.0.0.1')).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });

  it('resolves localhost to at least the IPv4 loopback', async () => {
    const addrs = await resolveAll('localhost');
    expect(addrs.map((a) => a.address)).toContain('127.0.0.1');
  });

  it('classifies an unknown name as a name-resolution failure', async () => {
    const err = await resolveAll('nonexistent.invalid').catch((e) => e);
    expect(err).toBeInstanceOf(NameResolutionError);
    expect(err.message).toBe(
      'cannot resolve host name "nonexistent.invalid": check the spelling and your DNS',
    );
  });
});

describe('connect (happy eyeballs)', () => {
  it('connects to a listening IPv4 server', async () => {
    const port = await listen('127.0.0.1');
    const sock = await connect('127.0.0.1', port);
    expect(sock.remotePort).toBe(port);
    sock.destroy();
  });

  it('connects over IPv6 loopback', async () => {
    const port = await listen('::1');
    const sock = await connect('::1', port);
    expect(sock.remoteAddress).toBe('::1');
    sock.destroy();
  });

  it('reports a closed port as connection refused, naming the target', async () => {
    const port = await freePort();
    const err = await connect('127.0.0.1', port).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionRefusedError);
    expect(err.message).toBe(`connection refused by 127.0.0.1:${port}: is the server running on that port?`);
  });

  it('reports an unknown host as a name-resolution failure', async () => {
    await expect(connect('nonexistent.invalid', 80)).rejects.toBeInstanceOf(NameResolutionError);
  });

  it('times out against a listener that never accepts, within the bound', async () => {
    const { port, stop } = await startBlackhole();
    const started = Date.now();
    const err = await connect('127.0.0.1', port, { timeoutMs: 500 }).catch((e) => e);
    const elapsed = Date.now() - started;
    await stop();
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toBe(`connecting to 127.0.0.1:${port} timed out after 500 ms`);
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(3000);
  });

  it('brackets IPv6 literals in host:port', () => {
    expect(formatHostPort('::1', 80)).toBe('[::1]:80');
    expect(formatHostPort('example.com', 80)).toBe('example.com:80');
  });

  it('withTimeout rejects with a TimeoutError naming the operation', async () => {
    await expect(withTimeout(new Promise(() => {}), 20, 'waiting for nothing')).rejects.toThrow(
      'waiting for nothing timed out after 20 ms',
    );
  });
});

describe('error classification', () => {
  it('maps system error codes to distinct classes with one-line messages', () => {
    const cases: [string, NetErrorCode][] = [
      ['ENOTFOUND', 'FOPNP_ERR_NAME_RESOLUTION'],
      ['ECONNREFUSED', 'FOPNP_ERR_CONNECTION_REFUSED'],
      ['EHOSTUNREACH', 'FOPNP_ERR_HOST_UNREACHABLE'],
      ['ENETUNREACH', 'FOPNP_ERR_HOST_UNREACHABLE'],
      ['ETIMEDOUT', 'FOPNP_ERR_TIMEOUT'],
      ['ECONNRESET', 'FOPNP_ERR_CONNECTION_RESET'],
      ['EADDRINUSE', 'FOPNP_ERR_ADDRESS_IN_USE'],
      ['EACCES', 'FOPNP_ERR_PERMISSION_DENIED'],
      ['EMSGSIZE', 'FOPNP_ERR_MESSAGE_TOO_LONG'],
      ['EWHATEVER', 'FOPNP_ERR_NETWORK'],
    ];
    for (const [code, expected] of cases) {
      const err = classifyError(Object.assign(new Error(code), { code }), 'h:1');
      expect(err.code).toBe(expected);
      expect(err.message).not.toMatch(/\n/);
    }
  });

  it('names the size of a datagram refused with EMSGSIZE', () => {
    const err = classifyError(Object.assign(new Error('send EMSGSIZE'), { code: 'EMSGSIZE' }), 'h:1', {
      size: 70_000,
    });
    expect(err.message).toMatch(/^datagram of 70000 bytes is too long for the network \(EMSGSIZE\)/);
  });

  it('reports a TCP server asked to listen on an address this host lacks as a bind problem, not a route', async () => {
    // 192.0.2.1 (TEST-NET-1) is on no interface here: listen() fails with EADDRNOTAVAIL, no packet is sent.
    const server = net.createServer();
    const err = await new Promise((resolve) => {
      server.once('error', resolve);
      server.listen(0, '192.0.2.1');
    });
    const classified = classifyError(err, '192.0.2.1:0');
    expect(classified.code).toBe('FOPNP_ERR_NETWORK');
    expect(classified.message).toBe('cannot bind 192.0.2.1:0: no such local address (EADDRNOTAVAIL)');
  });

  it('reports a real EADDRINUSE from bind as address in use', async () => {
    const port = await listen('127.0.0.1');
    const second = net.createServer();
    const err = await new Promise((resolve) => {
      second.once('error', resolve);
      second.listen(port, '127.0.0.1');
    });
    const classified = classifyError(err, `127.0.0.1:${port}`);
    expect(classified).toBeInstanceOf(AddressInUseError);
    let line = '';
    expect(reportFatal(classified, (l) => (line += l))).toBe(1);
    expect(line).toBe(
      `error: address 127.0.0.1:${port} is already in use: stop the other server or choose another port with -p\n`,
    );
  });
});

describe('reportFatal', () => {
  it('prints a coded error of another library by its own message, one line', () => {
    let line = '';
    const err = Object.assign(new Error('server is busy, try again later'), {
      code: 'FOPNP_ZEN_ASYNCIO_ERR_SERVER_BUSY',
    });
    expect(reportFatal(err, (l) => (line += l))).toBe(1);
    expect(line).toBe('error: server is busy, try again later\n');
  });

  it('prints a system error through its class, and a bug with its stack', () => {
    let line = '';
    reportFatal(
      Object.assign(new Error('connect ECONNREFUSED'), {
        code: 'ECONNREFUSED',
        syscall: 'connect',
        address: '127.0.0.1',
        port: 9,
      }),
      (l) => (line += l),
    );
    expect(line).toBe('error: connection refused by 127.0.0.1:9: is the server running on that port?\n');
    let bug = '';
    reportFatal(new TypeError('x is undefined'), (l) => (bug += l));
    expect(bug).toMatch(/^error: TypeError: x is undefined\n\s+at /);
  });
});

describe('listen', () => {
  it('resolves with the bound port and names a taken port in one line', async () => {
    const { listen } = await import('../src/listen.js');
    const first = net.createServer();
    servers.push(first);
    const port = await listen(first, 0, '127.0.0.1');
    expect(port).toBeGreaterThan(0);
    const second = net.createServer();
    const err = await listen(second, port, '127.0.0.1', 'tally HTTP port').catch((e) => e);
    expect(err).toBeInstanceOf(AddressInUseError);
    expect(err.message).toBe(
      `address 127.0.0.1:${port} (tally HTTP port) is already in use: stop the other server or choose another port with -p`,
    );
  });
});
