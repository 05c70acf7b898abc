import { run } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './helpers.ts';

/** curl as the real client: -s quiet, -S errors, -D - head to stdout. */
async function curl(...args: string[]) {
  const r = await run('curl', ['-sS', ...args], { timeoutMs: 20_000 });
  expect(r.stderr).toBe('');
  return r.stdout;
}

describe('the echo endpoints', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp('sqlite', { maxDelaySeconds: 1, bodyLimit: 64 * 1024 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lists every endpoint at /', async () => {
    const text = await (await fetch(`${app.url}/`)).text();
    for (const path of ['/headers', '/anything', '/environ', '/framing/:mode', '/cache', '/bank/'])
      expect(text).toContain(path);
  });

  it("/headers echoes the headers curl sent, in curl's spelling", async () => {
    const body = JSON.parse(await curl('-H', 'X-Book: fopnp', `${app.url}/headers`));
    expect(body.headers).toMatchObject({ Host: `127.0.0.1:${app.port}`, Accept: '*/*', 'X-Book': 'fopnp' });
    expect(body.headers['User-Agent']).toMatch(/^curl\//);
  });

  it('/ip and /user-agent report the client', async () => {
    expect(JSON.parse(await curl(`${app.url}/ip`))).toEqual({ origin: '127.0.0.1' });
    expect(JSON.parse(await curl('-A', 'book-agent/3', `${app.url}/user-agent`))).toEqual({
      'user-agent': 'book-agent/3',
    });
  });

  it('/get reports args (repeated names as lists), headers, origin and URL', async () => {
    const body = await (await fetch(`${app.url}/get?a=1&b=2&b=3`)).json();
    expect(body.args).toEqual({ a: '1', b: ['2', '3'] });
    expect(body.origin).toBe('127.0.0.1');
    expect(body.url).toBe(`${app.url}/get?a=1&b=2&b=3`);
  });

  it('/anything echoes a JSON body under json and data, for any method', async () => {
    const res = await fetch(`${app.url}/anything/deep/path?x=1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"amount": 5}',
    });
    const body = await res.json();
    expect(body).toMatchObject({
      method: 'PUT',
      json: { amount: 5 },
      data: '{"amount": 5}',
      args: { x: '1' },
    });
    expect(body.url).toBe(`${app.url}/anything/deep/path?x=1`);
  });

  it('/anything echoes a form and a multipart upload sent by curl', async () => {
    const form = JSON.parse(await curl('-d', 'a=1&b=two+words', `${app.url}/anything`));
    expect(form.form).toEqual({ a: '1', b: 'two words' });
    const multi = JSON.parse(
      await curl('-F', 'note=hello', '-F', 'file=@package.json', `${app.url}/anything`),
    );
    expect(multi.form).toEqual({ note: 'hello' });
    expect(multi.files.file).toContain('"name": "@fopnp/http-app"');
  });

  it('/anything answers malformed JSON with 400 and an oversized body with 413', async () => {
    const bad = await fetch(`${app.url}/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":',
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('FOPNP_HTTP_APP_ERR_MALFORMED_JSON');
    const big = await fetch(`${app.url}/anything`, { method: 'POST', body: 'x'.repeat(65 * 1024) });
    expect(big.status).toBe(413);
  });

  it('/status/:codes answers with the status, and refuses nonsense with 400', async () => {
    expect((await fetch(`${app.url}/status/418`)).status).toBe(418);
    const picked = new Set<number>();
    for (let i = 0; i < 30; i++) picked.add((await fetch(`${app.url}/status/201,202`)).status);
    expect([...picked].sort()).toEqual([201, 202]);
    const auth = await fetch(`${app.url}/status/401`);
    expect(auth.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await fetch(`${app.url}/status/99`)).status).toBe(400);
    // A 1xx alone is no final answer: sent, it left curl waiting until its timeout.
    expect((await fetch(`${app.url}/status/101`)).status).toBe(400);
    expect((await fetch(`${app.url}/status/abc`)).status).toBe(400);
  });

  it('/delay/:n waits, capped at MAX_DELAY_SECONDS', async () => {
    const t0 = Date.now();
    const body = await (await fetch(`${app.url}/delay/5`)).json();
    const elapsed = Date.now() - t0;
    expect(body).toMatchObject({ data: '', form: {}, files: {}, url: `${app.url}/delay/5` });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(4000);
  });

  it('/bytes/:n sends n bytes, the same ones for the same seed', async () => {
    const a = Buffer.from(await (await fetch(`${app.url}/bytes/300?seed=7`)).arrayBuffer());
    const b = Buffer.from(await (await fetch(`${app.url}/bytes/300?seed=7`)).arrayBuffer());
    const c = Buffer.from(await (await fetch(`${app.url}/bytes/300?seed=8`)).arrayBuffer());
    expect(a.length).toBe(300);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect((await fetch(`${app.url}/bytes/-1`)).status).toBe(400);
  });

  it('/stream/:n sends n JSON lines with chunked framing, as curl --raw shows', async () => {
    const out = await curl('--raw', '-D', '-', `${app.url}/stream/3`);
    const split = out.indexOf('\r\n\r\n');
    const head = out.slice(0, split);
    const raw = out.slice(split + 4);
    expect(head).toMatch(/transfer-encoding: chunked/i);
    expect(head).not.toMatch(/content-length/i);
    // Each line is its own chunk: hex size, CRLF, the line; a 0 chunk ends the body.
    const sizes = [...raw.matchAll(/^([0-9a-f]+)\r$/gm)].map((m) => Number.parseInt(m[1]!, 16));
    expect(sizes.length).toBe(4);
    expect(sizes.at(-1)).toBe(0);
    const lines = (await curl(`${app.url}/stream/3`))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual([0, 1, 2]);
  });

  it('/drip drips numbytes over the duration with a Content-Length', async () => {
    const t0 = Date.now();
    const res = await fetch(`${app.url}/drip?numbytes=5&duration=0.5&code=202`);
    expect(res.status).toBe(202);
    expect(res.headers.get('content-length')).toBe('5');
    expect(await res.text()).toBe('*****');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    // Many bytes over the same time: a timer per byte (1 ms at least each) took 5 s and more.
    const t1 = Date.now();
    const many = await fetch(`${app.url}/drip?numbytes=5000&duration=0.5`);
    expect((await many.text()).length).toBe(5000);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(400);
    expect(Date.now() - t1).toBeLessThan(3000);
  });

  it('/redirect/:n is followed by curl -L through n hops to /get', async () => {
    const out = await curl('-L', '-D', '-', '-o', '/dev/null', `${app.url}/redirect/3`);
    const statuses = [...out.matchAll(/^HTTP\/1\.1 (\d+)/gm)].map((m) => m[1]);
    expect(statuses).toEqual(['302', '302', '302', '200']);
    expect([...out.matchAll(/^location: (.*)\r$/gim)].map((m) => m[1])).toEqual([
      '/relative-redirect/2',
      '/relative-redirect/1',
      '/get',
    ]);
    const abs = await fetch(`${app.url}/redirect/2?absolute=true`, { redirect: 'manual' });
    expect(abs.headers.get('location')).toBe(`${app.url}/absolute-redirect/1`);
    const tooMany = await fetch(`${app.url}/redirect/21`, { redirect: 'manual' });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.message).toContain('n must be 1 to 20 redirects');
  });

  it("/cookies/set and /cookies/delete work with curl's cookie jar", async () => {
    const jar = `/tmp/http-app-test-jar-${process.pid}`;
    const set = JSON.parse(
      await curl('-L', '-c', jar, '-b', jar, `${app.url}/cookies/set?flavour=oatmeal&n=2`),
    );
    expect(set.cookies).toEqual({ flavour: 'oatmeal', n: '2' });
    const deleted = JSON.parse(await curl('-L', '-c', jar, '-b', jar, `${app.url}/cookies/delete?flavour`));
    expect(deleted.cookies).toEqual({ n: '2' });
    await run('rm', ['-f', jar]);
    // A name no cookie can have is the client's mistake (400), not a server error.
    for (const path of ['/cookies/set?a%20b=1', '/cookies/set?a%3Bb=1', '/cookies/delete?a%20b']) {
      const res = await fetch(`${app.url}${path}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('FOPNP_HTTP_APP_ERR_BAD_PARAMETER');
    }
  });

  it('/basic-auth accepts curl -u with the right credentials and challenges otherwise', async () => {
    expect(JSON.parse(await curl('-u', 'alice:s3cret', `${app.url}/basic-auth/alice/s3cret`))).toEqual({
      authenticated: true,
      user: 'alice',
    });
    const out = await curl('-u', 'alice:wrong', '-D', '-', `${app.url}/basic-auth/alice/s3cret`);
    expect(out).toMatch(/^HTTP\/1\.1 401/);
    expect(out).toMatch(/www-authenticate: Basic realm="Fake Realm"/i);
  });

  it('/gzip is gzip-encoded on the wire and decoded by curl --compressed', async () => {
    const head = await curl('-D', '-', '-o', '/dev/null', `${app.url}/gzip`);
    expect(head).toMatch(/content-encoding: gzip/i);
    const body = JSON.parse(await curl('--compressed', `${app.url}/gzip`));
    expect(body.gzipped).toBe(true);
    expect(body.headers['Accept-Encoding']).toMatch(/gzip/);
    const raw = await run('curl', ['-s', `${app.url}/gzip`]);
    expect(raw.stdout.charCodeAt(0)).toBe(0x1f); // gzip magic, not JSON
    const viaNode = await fetch(`${app.url}/gzip`); // fetch decodes by itself
    expect((await viaNode.json()).gzipped).toBe(true);
  });

  it('/cache answers any conditional request with 304 (as httpbin), as curl sees it', async () => {
    const head = await curl('-D', '-', '-o', '/dev/null', `${app.url}/cache`);
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    const etag = /^etag: (.*)\r$/im.exec(head)![1]!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const lastModified = /^last-modified: (.*)\r$/im.exec(head)![1]!;
    expect(Math.abs(Date.parse(lastModified) - Date.now())).toBeLessThan(5000);
    for (const h of [
      `If-None-Match: ${etag}`,
      'If-None-Match: "other"',
      `If-Modified-Since: ${lastModified}`,
    ])
      expect(await curl('-D', '-', '-o', '/dev/null', '-H', h, `${app.url}/cache`)).toMatch(
        /^HTTP\/1\.1 304/,
      );
    // curl's own conditional GET: -z sends If-Modified-Since.
    expect(await curl('-D', '-', '-o', '/dev/null', '-z', lastModified, `${app.url}/cache`)).toMatch(
      /^HTTP\/1\.1 304/,
    );
    const maxAge = await fetch(`${app.url}/cache/60`);
    expect(maxAge.headers.get('cache-control')).toBe('public, max-age=60');
  });

  it('answers an unknown path with a JSON 404', async () => {
    const res = await fetch(`${app.url}/nowhere`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.message).toContain('GET / lists them');
  });
});
