/**
 * The documents and pictures that are our own (the differential test lists their bytes as a
 * deliberate difference): each must still be what its type says, checked by real decoders.
 */
import { run } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './helpers.ts';
import { DEBIAN_PYTHON } from './httpbin/peer.ts';

const IDENTIFY = new URL('./peers/identify_documents.py', import.meta.url).pathname;

describe('our own documents and images', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp('sqlite');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('serves a PNG, a JPEG and a WebP that Pillow decodes, and an SVG and XML that parse', async () => {
    const paths = ['/image/png', '/image/jpeg', '/image/webp', '/image/svg', '/xml'];
    const r = await run(DEBIAN_PYTHON, [IDENTIFY, ...paths.map((p) => app.url + p)], { timeoutMs: 30_000 });
    expect(r.stderr).toBe('');
    const seen = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(seen).toEqual([
      { url: `${app.url}/image/png`, type: 'image/png', format: 'PNG', size: [64, 64] },
      { url: `${app.url}/image/jpeg`, type: 'image/jpeg', format: 'JPEG', size: [64, 64] },
      { url: `${app.url}/image/webp`, type: 'image/webp', format: 'WEBP', size: [64, 64] },
      { url: `${app.url}/image/svg`, type: 'image/svg+xml', xml_root: '{http://www.w3.org/2000/svg}svg' },
      { url: `${app.url}/xml`, type: 'application/xml', xml_root: 'slideshow' },
    ]);
  });

  it("/json has the shape of httpbin's slideshow", async () => {
    const { slideshow } = await (await fetch(`${app.url}/json`)).json();
    expect(Object.keys(slideshow).sort()).toEqual(['author', 'date', 'slides', 'title']);
    for (const slide of slideshow.slides) {
      expect(typeof slide.title).toBe('string');
      expect(slide.type).toBe('all');
    }
    expect(slideshow.slides[1].items.length).toBeGreaterThan(0);
  });

  it('/encoding/utf8 is valid UTF-8 in several scripts, and /html a page with a heading', async () => {
    const bytes = new Uint8Array(await (await fetch(`${app.url}/encoding/utf8`)).arrayBuffer());
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    for (const sample of ['Η γλώσσα', 'Зарегистрируйтесь', '我能吞下玻璃']) expect(text).toContain(sample);
    expect(await (await fetch(`${app.url}/html`)).text()).toMatch(/<h1>[^<]+<\/h1>/);
  });

  it('/forms/post is a form whose fields, posted by curl, come back from /post', async () => {
    const page = await (await fetch(`${app.url}/forms/post`)).text();
    expect(page).toContain('<form method="post" action="/post">');
    const names = [...page.matchAll(/name="([^"]+)"/g)].map((m) => m[1]!);
    expect(names).toEqual(['firstname', 'lastname', 'chapter', 'comments']);
    const args = names.flatMap((n) => ['--data-urlencode', `${n}=value of ${n}`]);
    const r = await run('curl', ['-sS', ...args, `${app.url}/post`], { timeoutMs: 10_000 });
    expect(JSON.parse(r.stdout).form).toEqual(Object.fromEntries(names.map((n) => [n, `value of ${n}`])));
  });
});
