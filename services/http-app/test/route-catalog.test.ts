import { readFileSync } from 'node:fs';
import { run } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './helpers.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the route catalog', () => {
  let app: TestApp;
  let front: string;
  beforeAll(async () => {
    app = await startApp('sqlite');
    front = await (await fetch(`${app.url}/`)).text();
  });
  afterAll(async () => {
    await app?.close();
  });

  /** The routes as the front page lists them: one line each, `[METHODS ]path  summary`. */
  function listed(): string[] {
    return [...front.matchAll(/^ {2}(?:[A-Z,]+ )?(\/\S*) {2,}\S/gm)].map((m) => m[1]!);
  }

  it('lists every route on the front page, one line each', () => {
    const paths = listed();
    expect(paths.length).toBeGreaterThan(25);
    expect(new Set(paths).size).toBe(paths.length);
    for (const p of ['/get', '/anything/*', '/status/:codes', '/redirect-to', '/brotli', '/environ'])
      expect(paths).toContain(p);
  });

  it("lists every route in the README's endpoint table", () => {
    const table = README.slice(
      README.indexOf('### The echo endpoints'),
      README.indexOf('### A `-v` transcript'),
    );
    const missing = listed().filter((p) => !table.includes(`\`${p}\``));
    expect(missing).toEqual([]);
  });

  it('serves /openapi.json with every listed route and method, valid by openapi-spec-validator', async () => {
    const doc = await (await fetch(`${app.url}/openapi.json`)).json();
    const documented = Object.keys(doc.paths).map((p) =>
      p.replace(/\{path\}$/, '*').replace(/\{(\w+)\}/g, ':$1'),
    );
    expect(documented.sort()).toEqual([...listed()].sort());
    expect(Object.keys(doc.paths['/anything']).sort()).toEqual([
      'delete',
      'get',
      'patch',
      'post',
      'put',
      'trace',
    ]);
    expect(Object.keys(doc.paths['/post'])).toEqual(['post']);
    expect(doc.paths['/links/{n}/{offset}'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'n',
      'offset',
    ]);
    // The pyenv python3 of this kind of machine carries openapi-spec-validator.
    const validator = new URL('./peers/validate_openapi.py', import.meta.url).pathname;
    const r = await run('python3', [validator, `${app.url}/openapi.json`], { timeoutMs: 30_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ openapi: '3.1.0', paths: documented.length });
  });

  it('answers another method on a route with 405 and Allow, and OPTIONS as a CORS preflight', async () => {
    const post = await fetch(`${app.url}/get`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect((await post.json()).error.message).toContain('/get answers GET');
    const pre = await fetch(`${app.url}/status/200`, {
      method: 'OPTIONS',
      headers: { origin: 'http://example.org', 'access-control-request-headers': 'x-a' },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://example.org');
    expect(pre.headers.get('access-control-allow-headers')).toBe('x-a');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const bank = await fetch(`${app.url}/bank/nowhere`, { method: 'OPTIONS' });
    expect(bank.status).toBe(404);
    // CORS is the echo routes' only: the bank's pages allow no other origin.
    const login = await fetch(`${app.url}/bank/login`, { headers: { origin: 'http://example.org' } });
    expect([login.status, login.headers.get('access-control-allow-origin')]).toEqual([200, null]);
    const echo = await fetch(`${app.url}/stream/1`, { headers: { origin: 'http://example.org' } });
    expect(echo.headers.get('access-control-allow-origin')).toBe('http://example.org');
  });
});
