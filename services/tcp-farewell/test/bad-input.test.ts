import net from 'node:net';
import { freePort, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackgroundProcess, runCli, runPython, startCli, startPython, TCP_SIXTEEN } from './helpers.js';

let port: number;
let server: BackgroundProcess;

beforeAll(async () => {
  port = await freePort();
  server = startCli(['server', '127.0.0.1', '-p', String(port), '--idle-timeout-ms', '500']);
  await server.waitForOutput(/Listening at/);
});
afterAll(stopAll);

const hex = (text: string) => Buffer.from(text).toString('hex');

/** The server is still healthy: the book's Python client gets its farewell. */
async function expectStillServing() {
  const client = await runPython(TCP_SIXTEEN, ['client', '127.0.0.1', '-p', String(port)]);
  expect(client.stdout).toContain("The server said b'Farewell, client'");
}

describe('the server, given bad input by a Python client', () => {
  it('reports a connection closed mid-message with both counts, and keeps serving', async () => {
    const client = await runPython('send_raw.py', ['127.0.0.1', String(port), hex('Hi there')]);

    expect(client.stdout).toBe("reply b''\n");
    await server.waitForOutput(
      /error: client \('127\.0\.0\.1', \d+\): connection closed mid-message: expected 16 bytes, received 8 before EOF/,
    );
    await expectStillServing();
  });

  it('answers a message with bytes beyond its sixteen octets cleanly, then reports the excess', async () => {
    const excess = String(1024 * 1024);
    const client = await runPython('send_raw.py', [
      '127.0.0.1',
      String(port),
      hex('Hi there, server'),
      excess,
    ]);

    // The server reads the excess to EOF before closing, so the client sees FIN, not RST.
    expect(client.stdout).toBe("reply b'Farewell, client'\n");
    await server.waitForOutput(
      /error: client \('127\.0\.0\.1', \d+\) sent 1048576 bytes after its 16-octet message/,
    );
    await expectStillServing();
  });

  it('prints non-ASCII octets escaped as Python would and still says farewell', async () => {
    const message = Buffer.concat([Buffer.from([0xff, 0x00, 0xe9, 0x0a]), Buffer.from('Hi there, se')]);
    const client = await runPython('send_raw.py', ['127.0.0.1', String(port), message.toString('hex')]);

    expect(client.stdout).toBe("reply b'Farewell, client'\n");
    await server.waitForOutput(/Incoming sixteen-octet message: b'\\xff\\x00\\xe9\\nHi there, se'/);
  });

  it('drops a client that connects and says nothing', async () => {
    const silent = net.connect(port, '127.0.0.1');
    const closed = new Promise((resolve) => silent.on('close', resolve));
    await closed;
    await server.waitForOutput(
      /error: client \('127\.0\.0\.1', \d+\): waiting for client 127\.0\.0\.1:\d+ timed out after 500 ms/,
    );
    await expectStillServing();
  });
});

describe('the client and server CLIs, given bad arguments or a broken peer', () => {
  it('reports a reply cut short by the server with both counts, exit 1', async () => {
    const shortPort = await freePort();
    const broken = startPython('short_reply_server.py', [String(shortPort)]);
    await broken.waitForOutput(/Listening at/);

    const client = await runCli(['client', '127.0.0.1', '-p', String(shortPort)]);

    expect(client.code).toBe(1);
    expect(client.stderr).toBe(
      'error: connection closed mid-reply: expected 16 bytes, received 8 before EOF\n',
    );
  });

  it('names an unknown host in one line, exit 1', async () => {
    const client = await runCli(['client', 'no-such-host.invalid', '-p', String(port)]);

    expect(client.code).toBe(1);
    expect(client.stderr).toBe(
      'error: cannot resolve host name "no-such-host.invalid": check the spelling and your DNS\n',
    );
  });

  it('says when nothing listens on the port, exit 1', async () => {
    const closedPort = await freePort();
    const client = await runCli(['client', '127.0.0.1', '-p', String(closedPort)]);

    expect(client.code).toBe(1);
    expect(client.stderr).toBe(
      `error: connection refused by 127.0.0.1:${closedPort}: is the server running on that port?\n`,
    );
  });

  it('refuses a port already in use with a clear message, exit 1', async () => {
    const second = await runCli(['server', '127.0.0.1', '-p', String(port)]);

    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `error: address 127.0.0.1:${port} is already in use: stop the other server or choose another port with -p\n`,
    );
  });

  it('refuses a timeout longer than a Node timer can wait (it would fire after 1 ms), exit 2', async () => {
    const server = await runCli(['server', '127.0.0.1', '-p', '0', '--idle-timeout-ms', '3000000000']);

    expect(server.code).toBe(2);
    expect(server.stderr).toBe(
      'error: invalid value for --idle-timeout-ms: 3000000000 is outside 1..2147483647\n',
    );
  });

  it('rejects a byte count that is not a number, exit 2', async () => {
    const client = await runCli(['deadlock-client', '127.0.0.1', 'lots', '-p', String(port)]);

    expect(client.code).toBe(2);
    expect(client.stderr).toBe(
      'error: invalid value for BYTECOUNT: expected a positive whole number of bytes, got lots\n',
    );
  });
});
