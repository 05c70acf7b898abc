/**
 * What `serve` adds to every request, made cheap (issue 20): the metrics are plain numbers
 * rendered at scrape time, the request's child logger is made only when the request logs.
 * Both must still say what they said before.
 */
import { Writable } from 'node:stream';
import { createLogger } from '@fopnp/net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestMetrics } from '../src/metrics.ts';
import { startApp, type TestApp } from './helpers.ts';

describe('metrics and logging of the deployed server', () => {
  const lines: Record<string, unknown>[] = [];
  let app: TestApp;
  const registry = new Registry();
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const logger = createLogger('http-app', { destination: sink });
    app = await startApp('sqlite', { logger });
    const metrics = new RequestMetrics(registry);
    // startApp's server is already listening; count through a second one built the same way.
    const { createHttpAppServer } = await import('../src/server.ts');
    const { openBank } = await import('../src/bank/open.ts');
    const store = await openBank({ sqlitePath: ':memory:' });
    const counted = await createHttpAppServer({ store, logger });
    counted.server.on('connection', metrics.connection);
    counted.addHook('onResponse', metrics.onResponse);
    await counted.listen({ port: 0, host: '127.0.0.1' });
    const port = (counted.server.address() as { port: number }).port;
    for (const path of ['/get', '/get', '/status/404', '/status/503'])
      await (await fetch(`http://127.0.0.1:${port}${path}`)).arrayBuffer();
    await (await fetch(`http://127.0.0.1:${port}/post`, { method: 'POST', body: 'x' })).arrayBuffer();
    await counted.close();
    await store.close();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('counts requests by method and status, and their latency, in the Prometheus format', async () => {
    const text = await registry.metrics();
    expect(text).toContain('http_app_requests_total{method="GET",status="200"} 2');
    expect(text).toContain('http_app_requests_total{method="GET",status="404"} 1');
    expect(text).toContain('http_app_requests_total{method="GET",status="503"} 1');
    expect(text).toContain('http_app_requests_total{method="POST",status="200"} 1');
    expect(text).toMatch(/^http_app_connections_total [1-5]$/m); // fetch keeps connections alive
    expect(text).toContain('# TYPE http_app_request_duration_seconds histogram');
    expect(text).toContain('http_app_request_duration_seconds_bucket{le="+Inf"} 5');
    expect(text).toContain('http_app_request_duration_seconds_count 5');
    expect(text).toMatch(/^http_app_request_duration_seconds_sum \d/m);
    const buckets = [...text.matchAll(/_bucket\{le="([^"]+)"\} (\d+)/g)].map((m) => Number(m[2]));
    expect(buckets).toHaveLength(9);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b)); // cumulative
  });

  it('logs a failed request with its request id, and nothing for the ones that succeed', async () => {
    const before = lines.length;
    await (await fetch(`${app.url}/get`)).arrayBuffer();
    // A bank login with a wrong password logs one info line through the request's logger.
    const login = await fetch(`${app.url}/bank/login`);
    const token = /name="csrf_token" value="([^"]+)"/.exec(await login.text())![1]!;
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    await fetch(`${app.url}/bank/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: `csrf_token=${encodeURIComponent(token)}&username=sam&password=wrong`,
    });
    const fresh = lines.slice(before);
    const failed = fresh.find((l) => l.msg === 'login failed');
    expect(failed).toMatchObject({ username: 'sam', service: 'http-app' });
    expect(String(failed!.reqId)).toMatch(/^req-/);
    expect(fresh.filter((l) => l.msg !== 'login failed')).toEqual([]);
  });
});
