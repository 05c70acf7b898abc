/**
 * The book-style commands print what the book's scripts print, against Python's server as
 * well as ours; `serve` has health endpoints and stops cleanly; errors are one line.
 */
import { freePort, runNode, scrapeMetrics, startServe, stopAll, waitForHttp } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOK_CLIENT_LINES, CLI, startOurServer, startPythonServer } from './helpers.js';

const BOOK_CLIENT_OUTPUT = `${BOOK_CLIENT_LINES.join('\n')}\n`;

let python: Awaited<ReturnType<typeof startPythonServer>>;
let ours: Awaited<ReturnType<typeof startOurServer>>;
const portOf = (url: string) => new URL(url).port;

beforeAll(async () => {
  [python, ours] = await Promise.all([startPythonServer(), startOurServer()]);
});
afterAll(stopAll);

describe('the book commands', () => {
  it.each([
    ['Python', () => python.url],
    ['ours', () => ours.url],
  ])('client prints the book output against %s server', async (_name, url) => {
    const r = await runNode(CLI, ['client', '127.0.0.1', '-p', portOf(url())]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(BOOK_CLIENT_OUTPUT);
  });

  it('multicall and introspect print the book output', async () => {
    const m = await runNode(CLI, ['multicall', '-p', portOf(ours.url)]);
    expect(m.stdout).toBe("abc\n[0.0, 8.0]\n[1, 2.0, 'three']\n");
    const [mine, theirs] = await Promise.all([
      runNode(CLI, ['introspect', '-p', portOf(ours.url)]),
      runNode(CLI, ['introspect', '-p', portOf(python.url)]),
    ]);
    expect(mine.stdout).toBe(theirs.stdout);
    expect(mine.stdout).toContain(
      'quadratic(...)\n   Determine `x` values satisfying: `a` * x*x + `b` * x + c == 0\n',
    );
  });

  it('jsonrpc-client prints the book lengths() answer', async () => {
    const r = await runNode(CLI, ['jsonrpc-client', '-p', portOf(ours.url)]);
    expect(r.stdout).toBe("[[3, [1, 2, 3]], [None, 27], [2, {'Sirius': -1.46, 'Rigel': 0.12}]]\n");
  });

  it('call reports a fault on stderr with exit 1, and an unreachable server in one line', async () => {
    const fault = await runNode(CLI, ['call', 'quadratic', '1', '0', '1', '-p', portOf(ours.url)]);
    expect(fault.code).toBe(1);
    expect(fault.stderr).toBe("fault 1: <class 'ValueError'>:math domain error\n");
    const closed = await freePort();
    const down = await runNode(CLI, ['call', 'addtogether', '1', '-p', String(closed)]);
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(
      `error: connection refused by 127.0.0.1:${closed}: is the server running on that port?\n`,
    );
  });
});

describe('call options mean what they mean in the other CLIs', () => {
  it('speaks JSON-RPC with --jsonrpc; --json (an output format elsewhere) and -H (a header) are not its own', async () => {
    const port = portOf(ours.url);
    const r = await runNode(CLI, ['call', '--jsonrpc', 'lengths', 'abc', '--host', '127.0.0.1', '-p', port]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([[3, 'abc']]);
    const json = await runNode(CLI, ['call', '--json', 'addtogether', '1', '-p', port]);
    expect(json.code).toBe(2);
    expect(json.stderr).toContain('--jsonrpc');
    const header = await runNode(CLI, ['call', 'addtogether', '1', '-H', '127.0.0.1', '-p', port]);
    expect(header.code).toBe(2);
  });
});

describe('serve', () => {
  it('serves RPC and health, and exits 0 on SIGTERM', async () => {
    const { proc, port, healthPort } = await startServe(CLI, { LOG_LEVEL: 'warn', GATEWAY: 'false' });
    await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`);
    const r = await runNode(CLI, ['call', 'addtogether', '20', '30', '4', '1', '-p', String(port)]);
    expect(r.stdout).toBe('55\n');
    const metrics = (await scrapeMetrics(`http://127.0.0.1:${healthPort}`)).text;
    expect(metrics).toMatch(/rpc_calls_total\{[^}]*method="addtogether"[^}]*\} 1/);
    expect(await proc.stop('SIGTERM')).toBe(0);
  });

  it('refuses a port in use with one line and exit 1', async () => {
    const healthPort = await freePort();
    const ours2 = new URL(ours.url).port;
    const r = await runNode(CLI, ['serve'], {
      env: {
        PORT: ours2,
        HOST: '127.0.0.1',
        HEALTH_PORT: String(healthPort),
        HEALTH_HOST: '127.0.0.1',
        GATEWAY: 'false',
      },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`address 127.0.0.1:${ours2} is already in use`);
  });

  it('names the variable of a malformed downstream address and exits 2', async () => {
    const env = { HEALTH_PORT: '0', PORT: '0', HOST: '127.0.0.1', HEALTH_HOST: '127.0.0.1' };
    const zen = await runNode(CLI, ['serve'], { env: { ...env, ZEN_ADDRESS: 'zen-asyncio:99999' } });
    expect(zen.code).toBe(2);
    expect(zen.stderr).toContain(
      'error: invalid value for ZEN_ADDRESS: "zen-asyncio:99999" has no valid port',
    );
    const amqpUrl = await runNode(CLI, ['serve'], { env: { ...env, AMQP_URL: 'http://rabbitmq:5672' } });
    expect(amqpUrl.stderr).toContain(
      'error: invalid value for AMQP_URL: expected amqp://user:pass@host:port',
    );
  });
});
