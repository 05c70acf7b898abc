import { freePort, stopAll } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runPython, startCli, startPython, UDP_BROADCAST, UDP_REMOTE } from './helpers.js';

afterAll(stopAll);

describe("udp_remote.py against Python's standard library", () => {
  it("answers the book's Python client after it retransmits a dropped request", async () => {
    const port = await freePort('udp');
    const server = startCli(['server', '127.0.0.1', '-p', String(port), '--drop', '0.5']);
    await server.waitForOutput(/Listening at \('127\.0\.0\.1', \d+\)/);

    const client = await runPython(UDP_REMOTE, ['client', '127.0.0.1', '-p', String(port)]);

    expect(client.stderr).toBe('');
    const [, clientPort] = client.stdout.match(/^Client socket name is \('127\.0\.0\.1', (\d+)\)\n/)!;
    // Drop rate 0.5 drops the first request and answers the second.
    expect(client.stdout).toContain(
      'Waiting up to 0.1 seconds for a reply\n' +
        'Waiting up to 0.2 seconds for a reply\n' +
        "The server says 'Your data was 23 bytes long'\n",
    );
    expect(server.output()).toContain(
      `Pretending to drop packet from ('127.0.0.1', ${clientPort})\n` +
        `The client at ('127.0.0.1', ${clientPort}) says 'This is another message'\n`,
    );
    await server.stop();
  });

  it("gets its answer from the book's Python server, which drops half the requests at random", async () => {
    const port = await freePort('udp');
    const server = startPython(UDP_REMOTE, ['server', '127.0.0.1', '-p', String(port)]);
    await server.waitForOutput(/Listening at/);

    // 16 attempts: the chance that a fair coin drops them all is 1 in 65,536.
    const args = ['request', '127.0.0.1', '-p', String(port), '--attempts', '16', '--max-wait-ms', '400'];
    const client = await runCli(args);

    expect(client.stderr).toBe('');
    expect(client.code).toBe(0);
    const [, clientPort] = client.stdout.match(/^Client socket name is \('127\.0\.0\.1', (\d+)\)\n/)!;
    expect(client.stdout).toMatch(/Waiting up to 0\.1 seconds for a reply\n/);
    expect(client.stdout).toMatch(/The server says 'Your data was 23 bytes long'\n$/);
    await server.waitForOutput(
      new RegExp(`The client at \\('127\\.0\\.0\\.1', ${clientPort}\\) says 'This is another message'`),
    );
    await server.stop();
  });
});

describe("udp_broadcast.py and big_sender.py against Python's standard library", () => {
  it("hears the book's Python client broadcasting with SO_BROADCAST", async () => {
    const port = await freePort('udp');
    // Bound to the broadcast address, a socket hears broadcasts only (and stays off other interfaces).
    const server = startCli(['server', '127.255.255.255', '-p', String(port)]);
    await server.waitForOutput(/Listening at \('127\.255\.255\.255', \d+\)/);

    const client = await runPython(UDP_BROADCAST, ['client', '127.255.255.255', '-p', String(port)]);

    expect(client.code).toBe(0);
    await server.waitForOutput(/The client at \('127\.0\.0\.1', \d+\) says 'Broadcast datagram!'\n/);
    await server.stop();
  });

  it("broadcasts to the book's Python server", async () => {
    const port = await freePort('udp');
    const server = startPython(UDP_BROADCAST, ['server', '127.255.255.255', '-p', String(port)]);
    await server.waitForOutput(/Listening for datagrams at \('127\.255\.255\.255', \d+\)/);

    const client = await runCli(['client', '127.255.255.255', '-p', String(port)]);

    expect(client.code).toBe(0);
    expect(client.stdout).toBe('');
    await server.waitForOutput(/The client at \('127\.0\.0\.1', \d+\) says: 'Broadcast datagram!'\n/);
    await server.stop();
  });

  it('delivers a 65,000-byte datagram whole to a Python server', async () => {
    const port = await freePort('udp');
    const server = startPython(UDP_BROADCAST, ['server', '127.0.0.1', '-p', String(port)]);
    await server.waitForOutput(/Listening for datagrams/);

    const client = await runCli(['big', '127.0.0.1', '-p', String(port)]);

    expect(client.code).toBe(0);
    expect(client.stdout).toBe(
      'The big datagram was sent!\n' +
        '  65000 bytes, path MTU 65535 (interface lo has MTU 65536; the kernel caps an IPv4 path at 65535): it fit in one IP packet\n',
    );
    await server.waitForOutput(/says: '#{65000}'\n/);
    await server.stop();
  });
});
