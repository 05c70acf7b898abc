import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import {
  codePrefix,
  defineErrors,
  httpErrorOf,
  InvalidConfigError,
  NET_ERRORS,
  NetError,
  reportFatal,
  TimeoutError,
  writeHttpError,
} from '../src/errors.js';
import { listen } from '../src/listen.js';

const DEMO = defineErrors('demo-service', {
  GONE: { statusCode: 410, message: (key: string) => `key "${key}" is gone` },
  STUCK: { exitCode: 3, message: (what: string, ms: number) => `${what} stuck for ${ms} ms` },
});
class DemoError extends NetError {}
class GoneError extends DemoError {
  constructor(readonly key: string) {
    super(DEMO.describe('GONE', key));
  }
}

describe('defineErrors', () => {
  it('derives every code from the service name: FOPNP_<SERVICE>_ERR_<NAME>, the kit FOPNP_ERR_<NAME>', () => {
    expect(codePrefix('demo-service')).toBe('FOPNP_DEMO_SERVICE_ERR_');
    expect(codePrefix('')).toBe('FOPNP_ERR_');
    expect(DEMO.codes).toEqual({
      GONE: 'FOPNP_DEMO_SERVICE_ERR_GONE',
      STUCK: 'FOPNP_DEMO_SERVICE_ERR_STUCK',
    });
    for (const [name, code] of Object.entries(NET_ERRORS.codes)) expect(code).toBe(`FOPNP_ERR_${name}`);
  });

  it('builds classes under NetError with the message template, status and exit code of their entry', () => {
    const err = new GoneError('k1');
    expect(err).toBeInstanceOf(NetError);
    expect(err).toMatchObject({
      name: 'GoneError',
      code: 'FOPNP_DEMO_SERVICE_ERR_GONE',
      message: 'key "k1" is gone',
      statusCode: 410,
      exitCode: 1,
      key: 'k1',
    });
    expect(DEMO.describe('STUCK', 'job', 5)).toEqual({
      code: 'FOPNP_DEMO_SERVICE_ERR_STUCK',
      message: 'job stuck for 5 ms',
      statusCode: 500,
      exitCode: 3,
    });
    expect(DEMO.entries().map((e) => [e.code, e.statusCode, e.exitCode])).toEqual([
      ['FOPNP_DEMO_SERVICE_ERR_GONE', 410, 1],
      ['FOPNP_DEMO_SERVICE_ERR_STUCK', 500, 3],
    ]);
    expect(new InvalidConfigError('--port', 'too big')).toMatchObject({ exitCode: 2, statusCode: 400 });
  });

  it('lets reportFatal print any of them in one line with its exit code', () => {
    let out = '';
    expect(reportFatal(new NetError(DEMO.describe('STUCK', 'job', 5)), (l) => (out += l))).toBe(3);
    expect(out).toBe('error: job stuck for 5 ms\n');
  });
});

describe('the one JSON error body', () => {
  it('carries a coded error with its own status, a framework 4xx with its code, and hides a bug', () => {
    expect(httpErrorOf(new GoneError('k1'))).toEqual({
      statusCode: 410,
      body: { error: { code: 'FOPNP_DEMO_SERVICE_ERR_GONE', message: 'key "k1" is gone' } },
    });
    expect(httpErrorOf(new TimeoutError('connecting to h:1', 50)).statusCode).toBe(504);
    const fst = Object.assign(new Error('Body cannot be empty'), {
      statusCode: 400,
      code: 'FST_ERR_CTP_EMPTY_JSON_BODY',
    });
    expect(httpErrorOf(fst)).toEqual({
      statusCode: 400,
      body: { error: { code: 'FST_ERR_CTP_EMPTY_JSON_BODY', message: 'Body cannot be empty' } },
    });
    const uncoded = Object.assign(new Error('nope'), { statusCode: 404 });
    expect(httpErrorOf(uncoded).body.error.code).toBe('FOPNP_ERR_BAD_REQUEST');
    expect(httpErrorOf(new TypeError('secret internals'))).toEqual({
      statusCode: 500,
      body: { error: { code: 'FOPNP_ERR_INTERNAL', message: 'internal error' } },
    });
  });

  const servers: http.Server[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
  });

  it('is written on a node:http response with writeHttpError', async () => {
    const server = http.createServer((_req, res) =>
      writeHttpError(res, new GoneError('k2'), { 'retry-after': '1' }),
    );
    servers.push(server);
    const port = await listen(server, 0, '127.0.0.1');
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(410);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({
      error: { code: 'FOPNP_DEMO_SERVICE_ERR_GONE', message: 'key "k2" is gone' },
    });
  });
});
