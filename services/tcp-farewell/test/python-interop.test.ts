import { freePort, stopAll } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runPython, startCli, startPython, TCP_SIXTEEN } from './helpers.js';

afterAll(stopAll);

describe("tcp_sixteen against Python's standard library", () => {
  it("answers the book's Python client with exactly 'Farewell, client'", async () => {
    const port = await freePort();
    const server = startCli(['server', '127.0.0.1', '-p', String(port)]);
    await server.waitForOutput(/Listening at \('127\.0\.0\.1', \d+\)\nWaiting to accept a new connection/);

    const client = await runPython(TCP_SIXTEEN, ['client', '127.0.0.1', '-p', String(port)]);

    expect(client.stderr).toBe('');
    const [, clientPort] = client.stdout.match(
      /Client has been assigned socket name \('127\.0\.0\.1', (\d+)\)/,
    )!;
    expect(client.stdout).toContain("The server said b'Farewell, client'\n");
    await server.waitForOutput(/Reply sent, socket closed/);
    expect(server.output()).toContain(
      `We have accepted a connection from ('127.0.0.1', ${clientPort})\n` +
        `  Socket name: ('127.0.0.1', ${port})\n` +
        `  Socket peer: ('127.0.0.1', ${clientPort})\n` +
        "  Incoming sixteen-octet message: b'Hi there, server'\n" +
        '  Reply sent, socket closed\n',
    );
    await server.stop();
  });

  it("greets the book's Python server with exactly 'Hi there, server'", async () => {
    const port = await freePort();
    const server = startPython(TCP_SIXTEEN, ['server', '127.0.0.1', '-p', String(port)]);
    await server.waitForOutput(/Waiting to accept a new connection/);

    const client = await runCli(['client', '127.0.0.1', '-p', String(port)]);

    expect(client.code).toBe(0);
    const [, clientPort] = client.stdout.match(
      /^Client has been assigned socket name \('127\.0\.0\.1', (\d+)\)\n/,
    )!;
    expect(client.stdout).toContain("The server said b'Farewell, client'\n");
    await server.waitForOutput(/Reply sent, socket closed/);
    expect(server.output()).toContain(`Socket peer: ('127.0.0.1', ${clientPort})`);
    expect(server.output()).toContain("Incoming sixteen-octet message: b'Hi there, server'");
    await server.stop();
  });
});
