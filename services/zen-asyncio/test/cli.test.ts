import { readFileSync } from 'node:fs';
import net from 'node:net';
import {
  type BackgroundProcess,
  cliTestKit,
  freePort,
  runNode,
  scrapeMetrics,
  sleep,
  stopAll,
} from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { APHORISMS } from '../src/index.js';
import { manifest } from '../src/manifest.js';

const { CLI: cli, startCli } = cliTestKit(import.meta.url);
const answers = new Map(APHORISMS);

afterAll(stopAll);

/** Children of a process, from /proc (the cluster's workers). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text ? text.split(/\s+/).map(Number) : [];
}

/** `zen-asyncio server 127.0.0.1 -p 0 …extra` as a real process, once it listens. */
async function startServer(...extra: string[]): Promise<{ server: BackgroundProcess; port: string }> {
  const server = startCli(['server', '127.0.0.1', '-p', '0', ...extra], { LOG_LEVEL: 'info' });
  const port = (await server.waitForOutput(/Listening at 127\.0\.0\.1:(\d+)/))[1]!;
  return { server, port };
}

function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** `serve` on free loopback ports (env adds ZEN_MODE etc.), ready; the ports it logged. */
async function startServe(
  env: NodeJS.ProcessEnv = {},
): Promise<{ server: BackgroundProcess; port: number; healthPort: number }> {
  const server = startCli(['serve'], {
    PORT: '0',
    HEALTH_PORT: '0',
    HOST: '127.0.0.1',
    HEALTH_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...env,
  });
  await server.waitForOutput(/"msg":"ready"/);
  const lines = jsonLines(server.output());
  const healthPort = lines.find((l) => l.msg === 'health endpoints listening')!.healthPort as number;
  const port = lines.find((l) => l.msg === 'zen listening')!.port as number;
  return { server, port, healthPort };
}

describe('the zen-asyncio command', () => {
  it('declares port 1061 and health port 9104 in its manifest, serve parsing exactly those options', () => {
    expect(manifest.options.port.default).toBe(1061);
    expect(manifest.options.healthPort.default).toBe(9104);
    expect(manifest.options.port.env).toBe('PORT');
    expect(manifest.command).toEqual(['serve']);
  });

  it('client prints three distinct questions with their answers, like client.py', async () => {
    const { server, port } = await startServer();
    const r = await runNode(cli, ['client', '127.0.0.1', '-p', port]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(new Set(lines).size).toBe(3);
    for (const line of lines) {
      const q = line.slice(0, line.indexOf('?') + 1);
      expect(line).toBe(`${q} ${answers.get(q)}`);
    }
    const e = await runNode(cli, ['client', '127.0.0.1', '-p', port, '-e']);
    expect(e.code).toBe(0);
    expect(e.stdout).toContain('without its "?" and hung up');
    expect(await server.stop()).toBe(0);
  });

  it('client --all asks every comparative our server knows, each answered', async () => {
    const { server, port } = await startServer();
    const r = await runNode(cli, ['client', '127.0.0.1', '-p', port, '--all']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').sort();
    expect(lines).toEqual(APHORISMS.map(([q, a]) => `${q} ${a}`).sort());
    expect(await server.stop()).toBe(0);
  });

  it('cluster mode forks one worker per requested core on one shared port and answers through them', async () => {
    const { server, port } = await startServer('--mode', 'cluster', '--workers', '2');
    expect(server.output()).toContain(`Listening at 127.0.0.1:${port} (mode cluster, 2 workers)`);
    const workers = childrenOf(server.child.pid!);
    expect(workers).toHaveLength(2);
    const runs = await Promise.all(
      Array.from({ length: 6 }, () => runNode(cli, ['client', '127.0.0.1', '-p', port])),
    );
    for (const r of runs) expect(r.stdout.trim().split('\n')).toHaveLength(3);
    expect(await server.stop()).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  });

  it('threads mode (srv_threaded.py) runs two worker threads, each listening on the port with SO_REUSEPORT, and answers through them', async () => {
    const { server, port } = await startServer('--mode', 'threads', '--workers', '2');
    expect(server.output()).toContain(`Listening at 127.0.0.1:${port} (mode threads, 2 threads)`);
    // /proc/net/tcp: local address 0100007F:PORT in state 0A (LISTEN), one line a socket
    const hexPort = Number(port).toString(16).toUpperCase().padStart(4, '0');
    const listeners = readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .filter((l) => l.includes(`0100007F:${hexPort} 00000000:0000 0A`));
    expect(listeners).toHaveLength(2);
    expect(childrenOf(server.child.pid!)).toHaveLength(0); // threads, not processes
    const runs = await Promise.all(
      Array.from({ length: 6 }, () => runNode(cli, ['client', '127.0.0.1', '-p', port])),
    );
    for (const r of runs) expect(r.stdout.trim().split('\n')).toHaveLength(3);
    expect(await server.stop()).toBe(0);
  });

  it('serve in threads mode sums both threads’ counters in /metrics', async () => {
    const { server, port, healthPort } = await startServe({ ZEN_MODE: 'threads', ZEN_WORKERS: '2' });
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => runNode(cli, ['client', '127.0.0.1', '-p', String(port)])),
    );
    for (const r of runs) expect(r.code).toBe(0);
    let metrics = '';
    for (let i = 0; i < 80 && !/^zen_questions_answered_total\{[^}]*\} 24$/m.test(metrics); i++) {
      await sleep(100);
      metrics = (await scrapeMetrics(`http://127.0.0.1:${healthPort}`)).text;
    }
    expect(metrics).toMatch(/^zen_questions_answered_total\{[^}]*\} 24$/m);
    expect(await server.stop('SIGTERM')).toBe(0);
  });

  it('serve exposes health, readiness and zen metrics counted from real traffic', async () => {
    const { server, port, healthPort } = await startServe();
    await runNode(cli, ['client', '127.0.0.1', '-p', String(port)]);
    await runNode(cli, ['client', '127.0.0.1', '-p', String(port), '-e']);
    const ready = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = (await scrapeMetrics(`http://127.0.0.1:${healthPort}`)).text;
    expect(metrics).toMatch(/^zen_questions_answered_total\{[^}]*\} 3$/m);
    expect(metrics).toMatch(/^zen_connections_accepted_total\{[^}]*\} 2$/m);
    expect(metrics).toMatch(/^zen_errors_total\{kind="closed_mid_question"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^zen_open_connections\{[^}]*\} 0$/m);
    expect(await server.stop('SIGTERM')).toBe(0);
  });

  it('serve in cluster mode sums every worker’s counters in one /metrics and is ready with all workers up', async () => {
    const { server, port, healthPort } = await startServe({ ZEN_MODE: 'cluster', ZEN_WORKERS: '2' });
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => runNode(cli, ['client', '127.0.0.1', '-p', String(port)])),
    );
    for (const r of runs) expect(r.code).toBe(0);
    const ready = await (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).json();
    expect(ready).toMatchObject({ status: 'ok', checks: { workers: { status: 'ok' } } });
    // workers report every second
    let metrics = '';
    for (let i = 0; i < 80 && !/^zen_questions_answered_total\{[^}]*\} 24$/m.test(metrics); i++) {
      await sleep(100);
      metrics = (await scrapeMetrics(`http://127.0.0.1:${healthPort}`)).text;
    }
    expect(metrics).toMatch(/^zen_questions_answered_total\{[^}]*\} 24$/m);
    expect(metrics).toMatch(/^zen_connections_accepted_total\{[^}]*\} 8$/m);
    expect(await server.stop('SIGTERM')).toBe(0);
  });

  it('says clearly when nothing listens, and exits 1', async () => {
    const port = await freePort();
    const r = await runNode(cli, ['client', '127.0.0.1', '-p', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: connection refused by 127.0.0.1:${port}: is the server running on that port?\n`,
    );
  });

  it('says clearly when the port is taken, in loop and cluster mode, and exits 1', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const { port } = holder.address() as net.AddressInfo;
    const loop = await runNode(cli, ['server', '127.0.0.1', '-p', String(port)]);
    const cluster = await runNode(cli, ['server', '127.0.0.1', '-p', String(port), '--mode', 'cluster']);
    holder.close();
    for (const r of [loop, cluster]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `error: address 127.0.0.1:${port} is already in use: stop the other server or choose another port with -p\n`,
      );
    }
  });

  it('client says the server is busy, and exits 1, when the server is at its connection limit', async () => {
    const { server, port } = await startServer('--max-connections', '1');
    const holder = net.connect(Number(port), '127.0.0.1');
    await new Promise((r) => holder.once('connect', r));
    // an answer proves the server accepted and counted the holder
    holder.write('Flat is better than?');
    await new Promise((r) => holder.once('data', r));
    const r = await runNode(cli, ['client', '127.0.0.1', '-p', port]);
    holder.destroy();
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: server 127.0.0.1:${port} is at its connection limit and refused us: try again later, or raise its --max-connections\n`,
    );
    await server.waitForOutput(/connection limit of 1 reached/);
    expect(await server.stop()).toBe(0);
  });

  it('rejects an unknown mode with a usage error naming the choices', async () => {
    const r = await runNode(cli, ['server', '127.0.0.1', '--mode', 'forking']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: invalid value for --mode: expected one of loop, single, cluster, threads, got "forking"\n',
    );
  });
});
