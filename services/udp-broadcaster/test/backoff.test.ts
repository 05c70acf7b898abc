import { freePort, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DropSchedule } from '../src/drop.js';
import { type BackgroundProcess, runCli, startCli } from './helpers.js';

afterAll(stopAll);

const waits = (stdout: string) =>
  [...stdout.matchAll(/Waiting up to ([\d.]+) seconds for a reply/g)].map((m) => m[1]);

describe('DropSchedule', () => {
  it('drops exactly the given fraction, spread evenly and starting with the first', () => {
    const pattern = (rate: number, n: number) => {
      const schedule = new DropSchedule(rate);
      return Array.from({ length: n }, () => (schedule.next() ? 'x' : '.')).join('');
    };
    expect(pattern(0, 8)).toBe('........');
    expect(pattern(0.5, 8)).toBe('x.x.x.x.');
    expect(pattern(0.75, 8)).toBe('xxx.xxx.');
    expect(pattern(1, 8)).toBe('xxxxxxxx');
    const tenth = new DropSchedule(0.1);
    expect(Array.from({ length: 1000 }, () => tenth.next()).filter(Boolean)).toHaveLength(100);
  });

  it('rejects a rate outside 0..1', () => {
    expect(() => new DropSchedule(1.5)).toThrow('drop rate must be within 0..1, got 1.5');
  });
});

describe('the request client against a server that drops requests', () => {
  let port: number;
  let server: BackgroundProcess;
  beforeAll(async () => {
    port = await freePort('udp');
    server = startCli(['server', '127.0.0.1', '-p', String(port), '--drop', '0.75']);
    await server.waitForOutput(/Listening at/);
  });

  it('doubles its wait after each loss and succeeds on the fourth attempt when three of four are dropped', async () => {
    const client = await runCli(['request', '127.0.0.1', '-p', String(port)]);

    expect(client.code).toBe(0);
    expect(waits(client.stdout)).toEqual(['0.1', '0.2', '0.4', '0.8']);
    expect(client.stdout).toMatch(/The server says 'Your data was 23 bytes long'\n$/);
    expect(server.output().match(/Pretending to drop packet/g)).toHaveLength(3);
  });
});

describe('the request client against a server that drops everything', () => {
  let port: number;
  beforeAll(async () => {
    port = await freePort('udp');
    const server = startCli(['server', '127.0.0.1', '-p', String(port), '--drop', '1']);
    await server.waitForOutput(/Listening at/);
  });

  it("gives up after the book's five waits with a clear error, exit 1", async () => {
    const client = await runCli(['request', '127.0.0.1', '-p', String(port)]);

    expect(client.code).toBe(1);
    expect(waits(client.stdout)).toEqual(['0.1', '0.2', '0.4', '0.8', '1.6']);
    expect(client.stderr).toBe(
      `error: no reply from 127.0.0.1:${port} after 5 attempts over 3.1 s ` +
        '(waited 0.1, 0.2, 0.4, 0.8, 1.6 s): I think the server is down\n',
    );
  });

  it('never waits longer than the cap', async () => {
    const args = [
      'request',
      '127.0.0.1',
      '-p',
      String(port),
      '--initial-wait-ms',
      '20',
      '--max-wait-ms',
      '50',
    ];
    const client = await runCli([...args, '--attempts', '5']);

    expect(client.code).toBe(1);
    expect(waits(client.stdout)).toEqual(['0.02', '0.04', '0.05', '0.05', '0.05']);
  });
});

describe('the request client with no server at all', () => {
  it('stops at once on the ICMP "port unreachable" instead of retrying, exit 1', async () => {
    const port = await freePort('udp');
    const client = await runCli(['request', '127.0.0.1', '-p', String(port)]);

    expect(client.code).toBe(1);
    expect(waits(client.stdout)).toEqual(['0.1']);
    expect(client.stderr).toBe(
      `error: connection refused by 127.0.0.1:${port}: is the server running on that port?\n`,
    );
  });
});
