import dgram from 'node:dgram';
import { freePort, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackgroundProcess, runCli, sendFrom, startCli } from './helpers.js';

let port: number;
let server: BackgroundProcess;

beforeAll(async () => {
  port = await freePort('udp');
  server = startCli(['server', '127.0.0.1', '-p', String(port)]);
  await server.waitForOutput(/Listening at/);
});
afterAll(stopAll);

describe('the server, given datagrams the book would crash on', () => {
  it('prints non-ASCII bytes escaped as Python would, warns, answers, and keeps serving', async () => {
    const reply = await sendFrom('127.0.0.1', port, Buffer.from([0xff, 0xfe, 0x41, 0x0a]));

    // The book's server calls data.decode('ascii') and dies with UnicodeDecodeError here.
    expect(reply).toBe("reply b'Your data was 4 bytes long'\n");
    await server.waitForOutput(/The client at \('127\.0\.0\.1', \d+\) says b'\\xff\\xfeA\\n'\n/);
    await server.waitForOutput(/warning: 4-byte datagram from \('127\.0\.0\.1', \d+\) is not ASCII/);
    expect(await sendFrom('127.0.0.1', port, Buffer.from('still there?'))).toBe(
      "reply b'Your data was 12 bytes long'\n",
    );
  });

  it('answers an empty datagram', async () => {
    expect(await sendFrom('127.0.0.1', port, Buffer.alloc(0))).toBe("reply b'Your data was 0 bytes long'\n");
  });
});

describe('the CLIs, given bad arguments', () => {
  it('refuses a datagram larger than IPv4 can carry with the reason, exit 1', async () => {
    const client = await runCli(['big', '127.0.0.1', '-p', String(port), '--size', '70000']);

    expect(client.code).toBe(1);
    expect(client.stdout).toBe(
      'Alas, the datagram did not make it\nActual MTU: 65535\n' +
        '  path MTU 65535 (interface lo has MTU 65536; the kernel caps an IPv4 path at 65535); UDP over IPv4 carries at most 65507 bytes\n',
    );
    expect(client.stderr).toBe(
      'error: datagram of 70000 bytes is too long for the network (EMSGSIZE): send less than the path MTU or use TCP\n',
    );
  });

  it('names the IPv6 limit, not the IPv4 one, for an oversized datagram to ::1, exit 1', async () => {
    const client = await runCli(['big', '::1', '-p', String(port), '--size', '65528']);

    expect(client.code).toBe(1);
    expect(client.stdout).toBe(
      'Alas, the datagram did not make it\nActual MTU: 65536\n' +
        "  path MTU 65536 (interface lo's MTU); UDP over IPv6 carries at most 65527 bytes\n",
    );
    expect(client.stderr).toBe(
      'error: datagram of 65528 bytes is too long for the network (EMSGSIZE): send less than the path MTU or use TCP\n',
    );
  });

  it.each([
    ['client', ['client', 'no-such-host.invalid']],
    ['request', ['request', 'no-such-host.invalid']],
    ['big', ['big', 'no-such-host.invalid']],
  ])('names an unknown host in one line from %s, exit 1', async (_name, args) => {
    const client = await runCli([...args, '-p', String(port)]);

    expect(client.code).toBe(1);
    expect(client.stderr).toBe(
      'error: cannot resolve host name "no-such-host.invalid": check the spelling and your DNS\n',
    );
  });

  it.each([
    ['client', ['client', '127.255.255.255']],
    ['request', ['request', '127.0.0.1']],
    ['big', ['big', '127.0.0.1']],
  ])('refuses destination port 0 from %s in one line, exit 2', async (_name, args) => {
    const client = await runCli([...args, '-p', '0']);

    expect(client.code).toBe(2);
    expect(client.stderr).toBe(
      'error: invalid value for --port: a destination port must be 1..65535, got 0\n',
    );
  });

  it('says IPv6 has no broadcast instead of a bare EINVAL, exit 2', async () => {
    const client = await runCli(['client', '::1', '-p', String(port)]);

    expect(client.code).toBe(2);
    expect(client.stderr).toBe(
      'error: invalid value for NETWORK: ::1 is IPv6, which has no broadcast: give an IPv4 broadcast address such as 192.168.1.255\n',
    );
  });

  it('refuses a port already in use by another socket, exit 1', async () => {
    const holder = dgram.createSocket('udp4');
    const held = await new Promise<number>((resolve) =>
      holder.bind(0, '127.0.0.1', () => resolve(holder.address().port)),
    );
    try {
      const second = await runCli(['server', '127.0.0.1', '-p', String(held)]);

      expect(second.code).toBe(1);
      expect(second.stderr).toBe(
        `error: address 127.0.0.1:${held} is already in use: stop the other server or choose another port with -p\n`,
      );
    } finally {
      holder.close();
    }
  });

  it('names the size of --text too long for one datagram, from client and request, exit 1', async () => {
    const text = 'a'.repeat(70_000);
    for (const args of [
      ['client', '127.255.255.255'],
      ['request', '127.0.0.1'],
    ]) {
      const result = await runCli([...args, '-p', String(port), '--text', text]);

      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'error: datagram of 70000 bytes is too long for the network (EMSGSIZE): send less than the path MTU or use TCP\n',
      );
    }
  });

  it('refuses request text that is not ASCII instead of mangling it, exit 2', async () => {
    const result = await runCli(['request', '127.0.0.1', '-p', String(port), '--text', 'caf\u00e9']);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: invalid value for --text: must be ASCII text, as in the book\n');
  });

  it('refuses a wait longer than a Node timer can wait (it would fire after 1 ms), exit 2', async () => {
    const result = await runCli([
      'request',
      '127.0.0.1',
      '-p',
      String(port),
      '--initial-wait-ms',
      '3000000000',
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: invalid value for --initial-wait-ms: 3000000000 is outside 1..2147483647\n',
    );
  });

  it('rejects a drop rate outside 0..1, exit 2', async () => {
    const result = await runCli(['server', '127.0.0.1', '-p', String(port), '--drop', '2']);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: invalid value for --drop: 2 is outside 0..1\n');
  });
});
