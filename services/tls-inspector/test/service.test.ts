/**
 * `tls-inspector serve` as a real process: the HTTP API inspects and scans, inspects its
 * own demo TLS server, and refuses what it must: private and metadata addresses (checked on
 * the resolved address), too many requests from one client, more work than its slots, bad
 * parameters; target failures come back as JSON errors with fitting statuses.
 */
import net from 'node:net';
import {
  type BackgroundProcess,
  freePort,
  scrapeMetrics,
  startServe,
  stopAll,
  waitForHttp,
} from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type OpenSslServer, startOpenSslServer, startSilentServer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';

interface Service {
  proc: BackgroundProcess;
  api: string;
  health: string;
  demoTlsPort: number;
}

async function startService(env: Record<string, string>): Promise<Service> {
  const demoTlsPort = await freePort();
  const { proc, url, healthUrl } = await startServe(CLI, {
    DEMO_TLS_PORT: String(demoTlsPort),
    LOG_LEVEL: 'info',
    ...env,
  });
  // 15 s was not enough for a start at load 56 (a fresh-clone CI run beside eight builds).
  await proc.waitForOutput(/HTTP API listening/, 60_000);
  return { proc, api: url, health: healthUrl, demoTlsPort };
}

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of several shapes, asserted field by field
async function get(url: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** Sends raw bytes to the API and returns everything it answers before closing. */
function rawRequest(api: string, request: string): Promise<string> {
  const { hostname, port } = new URL(api);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

let pki: Pki;
let openssl: OpenSslServer;
let silent: Awaited<ReturnType<typeof startSilentServer>>;
/** Loopback allowed (ALLOW_CIDRS), one slot, short handshake timeout. */
let open: Service;
/** Default policy: refuses every special-purpose address. */
let strict: Service;

beforeAll(async () => {
  pki = await makePki();
  openssl = await startOpenSslServer([
    '-cert',
    pki.serverCert,
    '-key',
    pki.serverKey,
    '-cert_chain',
    pki.caCert,
  ]);
  silent = await startSilentServer();
  [open, strict] = await Promise.all([
    startService({
      ALLOW_CIDRS: '127.0.0.0/8',
      MAX_CONCURRENT: '1',
      HANDSHAKE_TIMEOUT_MS: '1500',
      RATE_LIMIT_PER_MINUTE: '1000',
    }),
    startService({ RATE_LIMIT_PER_MINUTE: '1000', DEMO_TLS_PORT: '0' }),
  ]);
});

afterAll(async () => {
  await Promise.all([open?.proc.stop(), strict?.proc.stop(), openssl?.stop(), silent?.close()]);
  await stopAll();
  pki?.cleanup();
});

describe('GET /inspect and /scan', () => {
  it('returns the JSON report for openssl s_server', async () => {
    const r = await get(`${open.api}/inspect?host=localhost&port=${openssl.port}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      target: { host: 'localhost', port: openssl.port, address: '127.0.0.1', servername: 'localhost' },
      peerCertificate: true,
      names: ['localhost'],
      protocol: 'TLSv1.3',
      // The service trusts Node's roots only, so our test CA is not trusted.
      verification: { verified: false, trust: 'system' },
    });
    expect(r.body.chain.map((c: { subject: string }) => c.subject)).toEqual([
      'CN=localhost',
      'CN=fopnp Test CA',
    ]);
  });

  it('inspects its own demo TLS server, whose certificate it generated at start', async () => {
    const r = await get(
      `${open.api}/inspect?host=127.0.0.1&port=${open.demoTlsPort}&servername=tls-inspector`,
    );
    expect(r.status).toBe(200);
    expect(r.body.names).toEqual(['localhost', 'tls-inspector']);
    expect(r.body.hostname.matches).toBe(true);
    expect(r.body.chain[0]).toMatchObject({
      selfSigned: true,
      key: { type: 'EC', curve: 'prime256v1' },
      signatureAlgorithm: 'ecdsa-with-SHA256',
    });
    expect(r.body.chain[0].daysLeft).toBeGreaterThanOrEqual(29);
  });

  it('returns the scan as JSON', async () => {
    const r = await get(`${open.api}/scan?host=127.0.0.1&port=${open.demoTlsPort}`);
    expect(r.status).toBe(200);
    const accepted = r.body.versions
      .filter((v: { accepted: boolean }) => v.accepted)
      .map((v: { version: string }) => v.version);
    expect(accepted).toEqual(['TLSv1.2', 'TLSv1.3']); // the safe defaults of -s
    const tls12 = r.body.versions.find((v: { version: string }) => v.version === 'TLSv1.2');
    expect(tls12.ciphers.every((c: { strength: string }) => c.strength === 'strong')).toBe(true);
    expect(r.body.findings).toEqual([]);
  });

  it('answers 502 "peer did not speak TLS" for a plain HTTP port, 502 for a closed one, 504 for a silent one', async () => {
    const notTls = await get(`${open.api}/inspect?host=127.0.0.1&port=${open.api.split(':')[2]}`);
    expect(notTls.status).toBe(502);
    expect(notTls.body.error.code).toBe('FOPNP_TLS_INSPECTOR_ERR_NOT_TLS');
    expect(notTls.body.error.message).toMatch(/^peer did not speak TLS/);
    const closed = await get(`${open.api}/inspect?host=127.0.0.1&port=${await freePort()}`);
    expect(closed).toMatchObject({ status: 502, body: { error: { code: 'FOPNP_ERR_CONNECTION_REFUSED' } } });
    const started = Date.now();
    const timeout = await get(`${open.api}/inspect?host=127.0.0.1&port=${silent.port}`);
    expect(timeout).toMatchObject({
      status: 504,
      body: { error: { code: 'FOPNP_TLS_INSPECTOR_ERR_HANDSHAKE_TIMEOUT' } },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("ends the handshake at the caller's timeoutMs when it is shorter than HANDSHAKE_TIMEOUT_MS", async () => {
    const r = await get(`${open.api}/inspect?host=127.0.0.1&port=${silent.port}&timeoutMs=200`);
    expect(r).toMatchObject({
      status: 504,
      body: { error: { code: 'FOPNP_TLS_INSPECTOR_ERR_HANDSHAKE_TIMEOUT' } },
    });
    // The timeout it names is what was left of the 200 ms, not the configured 1500.
    const named = Number(/timed out after (\d+) ms/.exec(r.body.error.message)?.[1]);
    expect(named).toBeGreaterThan(0);
    expect(named).toBeLessThanOrEqual(200);
    const bad = await get(`${open.api}/inspect?host=127.0.0.1&port=${silent.port}&timeoutMs=0`);
    expect(bad).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining('"timeoutMs" must be 1..600000') } },
    });
  });

  it('answers 400 for bad parameters, 404 for unknown paths, 405 for other methods', async () => {
    expect((await get(`${open.api}/inspect?port=443`)).body.error.code).toBe(
      'FOPNP_TLS_INSPECTOR_ERR_BAD_REQUEST',
    );
    const badPort = await get(`${open.api}/inspect?host=localhost&port=99999`);
    expect(badPort).toMatchObject({
      status: 400,
      body: { error: { message: 'bad request: "port" must be 1..65535, got "99999"' } },
    });
    expect((await get(`${open.api}/inspect?host=a%20b`)).status).toBe(400);
    expect((await get(`${open.api}/nope`)).status).toBe(404);
    const post = await fetch(`${open.api}/inspect`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('answers 400 to a request target that is not a valid URL path, and keeps serving', async () => {
    // fetch() cannot send these, so a raw socket does: `//` alone is no valid URL.
    for (const target of ['//', '//[::1']) {
      const head = await rawRequest(
        open.api,
        `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expect(head).toMatch(/^HTTP\/1\.1 400 /);
      expect(head).toContain('"code": "FOPNP_TLS_INSPECTOR_ERR_BAD_REQUEST"');
    }
    expect((await get(`${open.api}/`)).status).toBe(200);
  });

  it('answers 503 when every slot is busy, and counts it in /metrics', async () => {
    const slow = get(`${open.api}/inspect?host=127.0.0.1&port=${silent.port}`); // holds the only slot
    // Wait until the service has really taken the slot: a fixed sleep loses that race on a busy machine.
    await expect
      .poll(
        async () =>
          (await scrapeMetrics(open.health)).text.match(/^tls_inspector_in_flight\{[^}]*\} (\d+)$/m)?.[1],
        { interval: 20, timeout: 1_400 },
      )
      .toBe('1');
    const busy = await get(`${open.api}/inspect?host=localhost&port=${openssl.port}`);
    expect(busy.status).toBe(503);
    expect(busy.body.error.code).toBe('FOPNP_TLS_INSPECTOR_ERR_BUSY');
    expect(busy.headers.get('retry-after')).toBe('1');
    expect((await slow).status).toBe(504);
    const metrics = (await scrapeMetrics(open.health)).text;
    expect(metrics).toMatch(
      /tls_inspector_requests_total\{endpoint="\/inspect",status="503",code="FOPNP_TLS_INSPECTOR_ERR_BUSY"[^}]*\} 1/,
    );
  });
});

describe('SSRF protection with the default policy', () => {
  const refused = async (host: string, category: string) => {
    const r = await get(`${strict.api}/inspect?host=${encodeURIComponent(host)}&port=443`);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FOPNP_TLS_INSPECTOR_ERR_ADDRESS_REFUSED');
    expect(r.body.error.message).toContain(`(${category})`);
    return r.body.error.message as string;
  };

  it('refuses loopback, by address and by a name that resolves to it', async () => {
    await refused('127.0.0.1', 'loopback');
    await refused('::1', 'loopback');
    const msg = await refused('localhost', 'loopback'); // the name is checked on what it resolves to
    expect(msg).toMatch(/^refusing to connect to localhost: it resolves to /);
  });

  it('refuses private, link-local, CGNAT, metadata and IPv4-mapped addresses, without connecting', async () => {
    await refused('10.1.2.3', 'private');
    await refused('192.168.1.1', 'private');
    await refused('169.254.1.1', 'link-local');
    await refused('100.64.0.1', 'cgnat');
    await refused('169.254.169.254', 'metadata');
    await refused('::ffff:127.0.0.1', 'loopback');
    await refused('fd00::1', 'unique-local');
    await refused('0.0.0.0', 'unspecified');
  });

  it('refuses IPv6 forms that carry a refused IPv4 address (translated, compatible, NAT64, 6to4)', async () => {
    await refused('::ffff:0:127.0.0.1', 'loopback');
    await refused('::127.0.0.1', 'loopback');
    await refused('64:ff9b::10.0.0.1', 'private');
    await refused('64:ff9b:1::a9fe:a9fe', 'metadata');
    await refused('64:ff9b:1::7f00:1', 'reserved');
    await refused('2002:c0a8:101::1', 'private');
  });

  it('is ready, with no demo server when DEMO_TLS_PORT=0', async () => {
    const ready = await waitForHttp(`${strict.health}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: {} });
    const openReady = (await (await fetch(`${open.health}/readyz`)).json()) as {
      checks: Record<string, unknown>;
    };
    expect(openReady.checks['demo-tls']).toEqual({ status: 'ok' });
  });
});

describe('limits that need their own instance', () => {
  it('refuses metadata even with ALLOW_PRIVATE=true, and answers 429 past the per-client rate', async () => {
    const svc = await startService({ ALLOW_PRIVATE: 'true', RATE_LIMIT_PER_MINUTE: '3', DEMO_TLS_PORT: '0' });
    try {
      const meta = await get(`${svc.api}/inspect?host=169.254.169.254&port=80`);
      expect(meta.status).toBe(403);
      const loop = await get(`${svc.api}/inspect?host=localhost&port=${openssl.port}`);
      expect(loop.status).toBe(200); // ALLOW_PRIVATE opens loopback
      expect((await get(`${svc.api}/inspect?port=1`)).status).toBe(400);
      const limited = await get(`${svc.api}/inspect?host=localhost&port=${openssl.port}`);
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('FOPNP_TLS_INSPECTOR_ERR_RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await svc.proc.stop();
    }
  });

  it('stops with exit code 0 on SIGTERM', async () => {
    const svc = await startService({ DEMO_TLS_PORT: '0' });
    expect(await svc.proc.stop('SIGTERM')).toBe(0);
    expect(svc.proc.output()).toMatch(/shutdown complete/);
  });
});
