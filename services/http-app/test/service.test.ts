import {
  cliTestKit,
  freePort,
  runNode,
  scrapeMetrics,
  startServe,
  stopAll,
  waitForHttp,
} from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { PgStore } from '../src/bank/pg-store.ts';
import { HTTP_APP_ERRORS, HttpAppError, type HttpAppErrorName } from '../src/errors.ts';
import { manifest } from '../src/manifest.ts';
import { PG_URL, uniqueSchema } from './helpers.ts';

const { CLI } = cliTestKit(import.meta.url);

describe('http-app serve', () => {
  afterAll(stopAll);

  it('declares port 8000 and health port 9107 in its manifest', () => {
    expect(manifest.options.port.default).toBe(8000);
    expect(manifest.options.healthPort.default).toBe(9107);
    expect(manifest.options.databaseUrl.env).toBe('DATABASE_URL');
  });

  it('serves on PostgreSQL with health and metrics, and exits 0 on SIGTERM', async () => {
    const schema = uniqueSchema();
    const { proc, port, healthPort } = await startServe(CLI, {
      DATABASE_URL: PG_URL,
      DATABASE_SCHEMA: schema,
      SESSION_SECRET: 'x'.repeat(40),
      LOG_LEVEL: 'info',
    });
    try {
      const ready = await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`);
      expect((await ready.json()).checks.database.status).toBe('ok');
      expect(proc.output()).toContain('"store":"postgres"');
      const cli = await runNode(CLI, ['get', `http://127.0.0.1:${port}/get`, '--repeat', '3']);
      expect(cli.code).toBe(0);
      const metrics = (await scrapeMetrics(`http://127.0.0.1:${healthPort}`)).text;
      expect(metrics).toMatch(/http_app_requests_total\{method="GET",status="200",service="http-app"\} 3/);
      expect(metrics).toMatch(/http_app_connections_total\{service="http-app"\} 1/); // keep-alive
      expect(await proc.stop('SIGTERM')).toBe(0);
    } finally {
      const store = new PgStore(PG_URL, schema);
      await store.dropSchema();
      await store.close();
    }
  });

  it('refuses a short SESSION_SECRET with a message that says what to do', async () => {
    const r = await runNode(CLI, ['serve'], {
      env: { PORT: '0', HEALTH_PORT: '0', SQLITE_PATH: ':memory:', SESSION_SECRET: 'short' },
      timeoutMs: 15_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: invalid value for SESSION_SECRET: must be at least 32 characters');
  });
});

describe('http-app serve with half a TLS setup', () => {
  it('exits 2 asking for both files', async () => {
    const r = await runNode(CLI, ['serve'], {
      env: { PORT: '0', HEALTH_PORT: '0', SQLITE_PATH: ':memory:', TLS_CERT_FILE: '/nonexistent.pem' },
      timeoutMs: 15_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('set both TLS_CERT_FILE and TLS_KEY_FILE, or neither');
  });
});

describe('http-app serve with a database that is down', () => {
  it('exits 1 with one line naming DATABASE_URL', async () => {
    const port = await freePort();
    const r = await runNode(CLI, ['serve'], {
      env: { PORT: '0', HEALTH_PORT: '0', DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test` },
      timeoutMs: 15_000,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: bank database unavailable: .*\(check DATABASE_URL\)\n$/);
  });
});

describe('error codes', () => {
  it('are named FOPNP_HTTP_APP_ERR_*, carry a 4xx/5xx status, and an HttpAppError carries both', () => {
    for (const [name, spec] of Object.entries(HTTP_APP_ERRORS.specs)) {
      const code = HTTP_APP_ERRORS.codes[name as HttpAppErrorName];
      expect(code).toMatch(/^FOPNP_HTTP_APP_ERR_[A-Z_]+$/);
      expect(spec.statusCode).toBeGreaterThanOrEqual(400);
      // NoRouteError and MethodNotAllowedError take a method and a path.
      if (name === 'NO_ROUTE' || name === 'METHOD_NOT_ALLOWED') continue;
      // (Object keys are unique by construction; what can go wrong is the error class.)
      const err = new HttpAppError(
        name as Exclude<HttpAppErrorName, 'NO_ROUTE' | 'METHOD_NOT_ALLOWED'>,
        'detail',
      );
      expect(err).toMatchObject({
        code,
        statusCode: spec.statusCode,
        message: (spec.message as (d: string) => string)('detail'),
      });
    }
  });
});
