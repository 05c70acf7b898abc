import { freePort, stopAll } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli, startPython, TCP_DEADLOCK } from './helpers.js';

afterAll(stopAll);

const LARGE = String(32 * 1024 * 1024);
const LARGE_BYTES = 32 * 1024 * 1024;

/** The book's Python tcp_deadlock.py server, or our deadlock-server, listening on a free port. */
async function startServer(which: 'python' | 'ours') {
  const port = await freePort();
  const server =
    which === 'python'
      ? startPython(TCP_DEADLOCK, ['server', '127.0.0.1', '-p', String(port)])
      : startCli(['deadlock-server', '127.0.0.1', '-p', String(port)]);
  await server.waitForOutput(/Listening at/);
  return { port, server };
}

/** The deadlock message, parsed: how many bytes went out before everything stopped. */
function stalledAfter(stderr: string): number {
  const match = stderr.match(
    /^error: deadlock: (\d+) of (\d+) bytes were sent, then no byte moved in either direction for 500 ms\./,
  );
  expect(match, stderr).not.toBeNull();
  expect(Number(match![2])).toBe(LARGE_BYTES);
  return Number(match![1]);
}

describe("tcp_deadlock.py against the book's Python server", () => {
  it('stalls with a large payload sent before reading, and says how many bytes went out', async () => {
    const { port, server } = await startServer('python');

    const client = await runCli([
      'deadlock-client',
      '127.0.0.1',
      LARGE,
      '-p',
      String(port),
      '--stall-ms',
      '500',
    ]);

    expect(client.code).toBe(1);
    const sent = stalledAfter(client.stderr);
    // Both sides' kernel buffers filled: far more than one write went out, far less than all.
    expect(sent).toBeGreaterThan(256 * 1024);
    expect(sent).toBeLessThan(LARGE_BYTES);
    expect(client.stdout).toContain(`Sending ${LARGE} bytes of data`);
    expect(client.stdout).not.toContain('Receiving all the data');
    await server.stop();
  });

  it('completes the same transfer when the client reads while it writes', async () => {
    const { port, server } = await startServer('python');

    const client = await runCli([
      'streaming-client',
      '127.0.0.1',
      LARGE,
      '-p',
      String(port),
      '--stall-ms',
      '5000',
    ]);

    expect(client.stderr).toBe('');
    expect(client.code).toBe(0);
    expect(client.stdout).toContain(`  ${LARGE} bytes sent\n`);
    expect(client.stdout).toContain(
      "The first data received says b'CAPITALIZE THIS!CAPITALIZE THIS!CAPITALIZE'",
    );
    expect(client.stdout).toContain(`  ${LARGE} bytes received\n`);
    expect(client.stdout).toContain('Every byte came back capitalized, in order');
    await server.waitForOutput(new RegExp(`${LARGE} bytes processed so far[ \\n]+Socket closed`));
    await server.stop();
  });
});

describe('tcp_deadlock.py against our own capitalizing server', () => {
  it('finishes a small transfer sent before reading, as the book shows', async () => {
    const { port, server } = await startServer('ours');

    const client = await runCli(['deadlock-client', '127.0.0.1', '1000', '-p', String(port)]);

    expect(client.code).toBe(0);
    expect(client.stdout).toBe(
      'Sending 1008 bytes of data, in chunks of 16 bytes (65536 per write)\n' +
        '  1008 bytes sent\n' +
        'Receiving all the data the server sends back\n' +
        "  The first data received says b'CAPITALIZE THIS!CAPITALIZE THIS!CAPITALIZE'\n" +
        '  1008 bytes received\n',
    );
    await server.waitForOutput(/ {2}1008 bytes processed so far\n {2}Socket closed/);
    await server.stop();
  });

  it('stalls on a large one, the server reports the client leaving, then the fix succeeds', async () => {
    const { port, server } = await startServer('ours');

    const stuck = await runCli([
      'deadlock-client',
      '127.0.0.1',
      LARGE,
      '-p',
      String(port),
      '--stall-ms',
      '500',
    ]);
    expect(stuck.code).toBe(1);
    expect(stalledAfter(stuck.stderr)).toBeLessThan(LARGE_BYTES);
    const [, processed] = await server.waitForOutput(
      /error: client \('127\.0\.0\.1', \d+\) after (\d+) bytes processed: connection to .* was reset by the peer/,
    );
    expect(Number(processed)).toBeGreaterThan(0);

    const fixed = await runCli(['streaming-client', '127.0.0.1', LARGE, '-p', String(port)]);
    expect(fixed.stderr).toBe('');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain(`  ${LARGE} bytes received\n`);
    await server.stop();
  });
});
