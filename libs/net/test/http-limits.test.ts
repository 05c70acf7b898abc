import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { capToFdLimit, FD_RESERVE, fdLimit, limitHttpServer } from '../src/http-limits.js';
import { listen } from '../src/listen.js';
import { rawExchange, scrapeMetrics, startProcess, stopAll } from '../src/testing/index.js';
import { sleep } from '../src/wait.js';

afterAll(stopAll);

const servers: http.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(
  options: Parameters<typeof limitHttpServer>[1],
  handler: http.RequestListener = (_req, res) => res.end('ok\n'),
) {
  const server = limitHttpServer(http.createServer(handler), options);
  servers.push(server);
  return { server, port: await listen(server, 0, '127.0.0.1') };
}

function exchange(port: number, request: string, opts: { halfClose?: boolean } = {}): Promise<string> {
  return rawExchange(port, request, opts);
}

/** Opens `n` sockets that never send a byte; resolves once each is connected or failed. */
async function silentSockets(port: number, n: number): Promise<net.Socket[]> {
  const out: net.Socket[] = [];
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve) => {
          const s = net.connect(port, '127.0.0.1');
          sockets.push(s);
          out.push(s);
          s.on('error', () => {});
          s.once('connect', () => resolve());
          s.once('close', () => resolve());
        }),
    ),
  );
  return out;
}

/** GET / until it answers 200 (a connection refused at the limit is retried), at most `ms`. */
async function getUntilOk(url: string, ms: number): Promise<{ status: number; tries: number }> {
  const deadline = Date.now() + ms;
  for (let tries = 1; ; tries++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      await res.text();
      if (res.status === 200) return { status: 200, tries };
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`${url}: no 200 within ${ms} ms`);
    await sleep(100);
  }
}

describe('the HTTP limits every service port gets', () => {
  it('answers 400 with the kit error body to a request with two Host headers, 200 with one', async () => {
    const { port } = await serve({});
    const two = await exchange(port, 'GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n');
    expect(two).toMatch(/^HTTP\/1\.1 400 /);
    expect(two).toMatch(/connection: close/i);
    expect(two).toContain('"code":"FOPNP_ERR_BAD_REQUEST"');
    expect(two).toContain('RFC 9112');
    const one = await exchange(port, 'GET / HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n');
    expect(one).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('sends the response to a client that half-closes after a complete request', async () => {
    const handler: http.RequestListener = (_req, res) => {
      setTimeout(() => res.end('late answer\n'), 200);
    };
    const { port } = await serve({}, handler);
    // The book's pattern: send everything, shutdown(SHUT_WR), then read to the end.
    const reply = await exchange(port, 'GET /delay HTTP/1.1\r\nHost: x\r\n\r\n', { halfClose: true });
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    expect(reply).toContain('late answer');
    // Node's own server, without the limits, drops that response: the case this guards.
    const bare = http.createServer(handler);
    servers.push(bare);
    const barePort = await listen(bare, 0, '127.0.0.1');
    expect(await exchange(barePort, 'GET /delay HTTP/1.1\r\nHost: x\r\n\r\n', { halfClose: true })).toBe('');
  });

  it('closes a socket that sends no complete headers with 408 after the headers timeout', async () => {
    const { port } = await serve({ limits: { headersTimeoutMs: 500 } });
    const t0 = Date.now();
    const reply = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    // Node checks every second here (its own default is 30 s): well before 30 s even at load.
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('refuses connections past the limit, counts them, and sheds silent ones so a new client gets in', async () => {
    const metrics = new Registry();
    const { server, port } = await serve({
      limits: { maxConnections: 20 },
      capToFdLimit: false,
      metrics,
      name: 'main',
    });
    expect(server.maxConnections).toBe(20);
    await silentSockets(port, 30);
    const value = async (name: string) =>
      Number((await metrics.getSingleMetricAsString(name)).match(/server="main"} (\d+)/)?.[1] ?? 0);
    // The ten over the limit are closed at once and counted.
    for (let i = 0; i < 50 && Number(await value('fopnp_http_connections_refused_total')) < 10; i++)
      await sleep(100);
    expect(Number(await value('fopnp_http_connections_refused_total'))).toBeGreaterThanOrEqual(10);
    // The silent ones are shed once a second old, so a real client gets its answer.
    const { status } = await getUntilOk(`http://127.0.0.1:${port}/`, 15_000);
    expect(status).toBe(200);
    expect(Number(await value('fopnp_http_connections_shed_total'))).toBeGreaterThan(0);
  });

  it('keeps a main port below the descriptor limit, with room for the health port', () => {
    expect(capToFdLimit(1024, 256)).toBe(256 - FD_RESERVE);
    expect(capToFdLimit(1024, 1_048_576)).toBe(1024);
    expect(capToFdLimit(1024, 100)).toBe(50);
    expect(capToFdLimit(1024, undefined)).toBe(1024);
    expect(fdLimit()).toBeGreaterThan(0);
  });
});

describe('a service with 256 file descriptors (prlimit) and 400 idle clients', () => {
  it('holds at most 128 of them, keeps its health port answering and serves a new client', async () => {
    const script = fileURLToPath(new URL('./fixtures/slow-service.mjs', import.meta.url));
    // Node raises its soft limit to the hard one at start: lower both.
    const proc = startProcess('prlimit', ['--nofile=256:256', process.execPath, script], {
      env: { LOG_LEVEL: 'info', CI: '1' },
    });
    const m = await proc.waitForOutput(/"port":(\d+),"maxConnections":(\d+),"msg":"listening"/);
    const [port, maxConnections] = [Number(m[1]), Number(m[2])];
    const healthPort = Number((await proc.waitForOutput(/"healthPort":(\d+)/))[1]);
    await proc.waitForOutput(/"msg":"ready"/);
    expect(maxConnections).toBe(256 - FD_RESERVE);

    const idle = await silentSockets(port, 400);
    await sleep(300);
    expect(idle.filter((s) => !s.destroyed).length).toBeLessThanOrEqual(maxConnections);
    // The health port, on descriptors the main port left free, answers at once.
    const health = await fetch(`http://127.0.0.1:${healthPort}/healthz`, {
      signal: AbortSignal.timeout(5_000),
    });
    expect(health.status).toBe(200);
    // A new client of the main port gets in once the silent sockets are shed (a second old).
    await getUntilOk(`http://127.0.0.1:${port}/`, 15_000);
    const scraped = await scrapeMetrics(`http://127.0.0.1:${healthPort}`);
    expect(scraped.value('fopnp_http_connections_refused_total{server="main"')).toBeGreaterThanOrEqual(
      400 - maxConnections,
    );
    expect(scraped.text).toMatch(/fopnp_http_connections\{server="main"/);
    expect(proc.child.exitCode).toBeNull();
  });
});
