/**
 * Compression and ranges as real clients see them: curl (--compressed, -r) and Python's
 * urllib with the standard library's gzip and zlib.
 */
import { readFileSync } from 'node:fs';
import { run } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTML_PAGE } from '../src/httpbin/formats.ts';
import { chooseCoding } from '../src/httpbin/negotiate.ts';
import { startApp, type TestApp } from './helpers.ts';
import { DEBIAN_PYTHON } from './httpbin/peer.ts';

const FETCH = new URL('./peers/fetch_decoded.py', import.meta.url).pathname;

async function curl(...args: string[]) {
  const r = await run('curl', ['-sS', ...args], { timeoutMs: 15_000 });
  expect(r.stderr).toBe('');
  return r.stdout;
}

async function python(url: string, ...headers: string[]) {
  const r = await run(DEBIAN_PYTHON, [FETCH, url, ...headers], { timeoutMs: 15_000 });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

describe('compression and ranges with curl and Python', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp('sqlite');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('curl --compressed decodes /gzip, /deflate and /brotli, each in its own coding on the wire', async () => {
    for (const [route, coding, flag] of [
      ['gzip', 'gzip', 'gzipped'],
      ['deflate', 'deflate', 'deflated'],
      ['brotli', 'br', 'brotli'],
    ]) {
      const out = await curl('--compressed', '-D', '-', `${app.url}/${route}`);
      const [head, body] = out.split('\r\n\r\n');
      expect(head).toMatch(new RegExp(`^content-encoding: ${coding}\\r?$`, 'im'));
      expect(JSON.parse(body!)).toMatchObject({ [flag!]: true, method: 'GET' });
    }
  });

  it('negotiates the documents: brotli for curl, gzip or deflate for Python, nothing unasked', async () => {
    const viaCurl = await curl('--compressed', '-D', '-', `${app.url}/html`);
    expect(viaCurl).toMatch(/^content-encoding: br\r$/im);
    expect(viaCurl).toMatch(/^vary: Accept-Encoding\r$/im);
    expect(viaCurl.endsWith(HTML_PAGE)).toBe(true);
    const gz = await python(`${app.url}/html`, 'Accept-Encoding: gzip;q=0.8, deflate;q=0.5');
    expect([gz.encoding, gz.text]).toEqual(['gzip', HTML_PAGE]);
    expect(gz.wire_bytes).toBeLessThan(Buffer.byteLength(HTML_PAGE));
    const df = await python(`${app.url}/encoding/utf8`, 'Accept-Encoding: deflate');
    expect(df.encoding).toBe('deflate');
    expect(df.text).toContain('我能吞下玻璃');
    // urllib sends Accept-Encoding: identity by itself: the page comes as it is.
    expect((await python(`${app.url}/html`)).encoding).toBeNull();
    // /gzip is gzip whatever the client says, as in httpbin: the route is the request.
    const forced = await python(`${app.url}/gzip`);
    expect([forced.encoding, JSON.parse(forced.text).gzipped]).toEqual(['gzip', true]);
  });

  it('weighs codings as RFC 9110 says: q values, *, q=0 refusals, brotli first on a tie', () => {
    expect(chooseCoding(undefined)).toBeUndefined();
    expect(chooseCoding('gzip, deflate, br')).toBe('br');
    expect(chooseCoding('gzip;q=1, br;q=0.5')).toBe('gzip');
    expect(chooseCoding('*')).toBe('br');
    expect(chooseCoding('*;q=0.5, br;q=0')).toBe('gzip');
    expect(chooseCoding('identity')).toBeUndefined();
    expect(chooseCoding('x-gzip')).toBe('gzip');
    expect(chooseCoding('gzip;q=0')).toBeUndefined();
  });

  it('/range serves what curl -r and a Python Range header ask, with 206 and Content-Range', async () => {
    const head = await curl('-r', '26-30', '-D', '-', `${app.url}/range/100`);
    expect(head).toMatch(/^HTTP\/1\.1 206/);
    expect(head).toMatch(/^content-range: bytes 26-30\/100\r$/im);
    expect(head.endsWith('\r\n\r\nabcde')).toBe(true);
    const py = await python(`${app.url}/range/52`, 'Range: bytes=-3');
    expect([py.status, py.range, py.text]).toEqual([206, 'bytes 49-51/52', 'xyz']);
    const whole = await python(`${app.url}/range/30`);
    expect([whole.status, whole.text]).toEqual([200, 'abcdefghijklmnopqrstuvwxyzabcd']);
    const beyond = await curl(
      '-r',
      '200-300',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `${app.url}/range/100`,
    );
    expect(beyond).toBe('416');
  });

  it('/post takes a multipart upload from curl -F and a JSON body, each by its own route copy', async () => {
    const up = JSON.parse(
      await curl('-F', 'note=hello', '-F', `file=@${FETCH};type=text/x-python`, `${app.url}/post`),
    );
    expect(up).toMatchObject({
      form: { note: 'hello' },
      files: { file: readFileSync(FETCH, 'utf8') },
      json: null,
    });
    expect(up.headers['Content-Type']).toMatch(/^multipart\/form-data; boundary=/);
    const json = JSON.parse(
      await curl('-H', 'Content-Type: application/json', '--data', '{"n": 1}', `${app.url}/post`),
    );
    expect(json).toMatchObject({ json: { n: 1 }, data: '{"n": 1}', form: {}, files: {} });
    expect(json).not.toHaveProperty('method');
  });

  it("/sse (go-httpbin's) streams ping events over the duration, as curl -N receives them", async () => {
    const t0 = Date.now();
    const out = await curl('-N', '-D', '-', `${app.url}/sse?count=3&duration=600ms`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350); // two pauses of 200 ms between three events
    expect(out).toMatch(/^content-type: text\/event-stream\r$/im);
    const events = [...out.matchAll(/^event: ping\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]!));
    expect(events.map((e) => e.id)).toEqual([0, 1, 2]);
    expect(events[2].timestamp - events[0].timestamp).toBeGreaterThanOrEqual(350);
    const tooMany = await fetch(`${app.url}/sse?count=1000`);
    expect([tooMany.status, (await tooMany.json()).error.message]).toEqual([
      400,
      'bad parameter: count is limited to 100 here (asked for 1000)',
    ]);
  });

  it('/stream-bytes sends n bytes in chunk_size chunks (curl --raw shows the chunk sizes)', async () => {
    const raw = await run('curl', ['-sS', '--raw', `${app.url}/stream-bytes/2500?chunk_size=1000&seed=7`], {
      timeoutMs: 15_000,
    });
    const sizes = [...raw.stdout.matchAll(/(?:^|\r\n)([0-9a-f]+)\r\n/g)].map((m) =>
      Number.parseInt(m[1]!, 16),
    );
    expect(sizes.slice(0, 3)).toEqual([1000, 1000, 500]);
    const again = await fetch(`${app.url}/stream-bytes/2500?chunk_size=1000&seed=7`);
    const bytes = Buffer.from(await again.arrayBuffer());
    expect(bytes.length).toBe(2500);
    const other = Buffer.from(await (await fetch(`${app.url}/stream-bytes/2500?seed=7`)).arrayBuffer());
    expect(other.equals(bytes)).toBe(true); // the seed decides the bytes, not the chunking
  });
});
