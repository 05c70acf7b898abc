/**
 * Chapter 10's timeapp three ways: the book's own _test.py run against each of our three
 * routes and against the book's three apps (timeapp_raw.py, timeapp_webob.py, timeapp_werkz.py,
 * unchanged, served by wsgiref), and their answers compared.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run, startProcess, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './helpers.ts';

const BOOK_CH10 = new URL('../../../../shared/peers/fopnp-py3/chapter10', import.meta.url).pathname;
const SERVE_WSGI = new URL('./peers/serve_wsgi.py', import.meta.url).pathname;
const KINDS = ['raw', 'webob', 'werkz'] as const;
/** What _test.py prints for each request: (status, Content-Type, text). */
const LINE = /^\((\d+), '([^']*)', '([^']*)'\)$/;
const CTIME = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/;

describe("chapter 10's timeapp, three ways, checked by the book's _test.py", () => {
  let app: TestApp;
  let dir: string;
  const bookPorts = new Map<string, number>();
  beforeAll(async () => {
    app = await startApp('sqlite');
    dir = mkdtempSync(path.join(tmpdir(), 'timeapp-'));
    for (const kind of KINDS) {
      const py = startProcess('/usr/bin/python3', [SERVE_WSGI, BOOK_CH10, `timeapp_${kind}`]);
      bookPorts.set(kind, Number((await py.waitForOutput(/port (\d+)/))[1]));
    }
  });
  afterAll(async () => {
    await app?.close();
    await stopAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The book's _test.py, patched in a copy: it asks localhost:8000 and 127.0.0.1:8000, a fixed
   * port a shared machine cannot give; the copy asks `hostPort` (+ the mount path) instead.
   */
  async function bookTest(target: string): Promise<{ code: number; lines: string[][] }> {
    const source = readFileSync(path.join(BOOK_CH10, '_test.py'), 'utf8');
    expect(source).toContain(':8000/');
    const file = path.join(dir, `test_${target.replace(/\W/g, '_')}.py`);
    writeFileSync(file, source.replaceAll(':8000/', `:${target}/`));
    const r = await run('/usr/bin/python3', [file], { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => LINE.exec(l)?.slice(1) ?? [l]);
    return { code: r.code ?? -1, lines };
  }

  for (const kind of KINDS) {
    it(`/timeapp/${kind}/ answers _test.py as timeapp_${kind}.py does`, async () => {
      const ours = await bookTest(`${app.port}/timeapp/${kind}`);
      const book = await bookTest(String(bookPorts.get(kind)));
      // _test.py asserts each status itself: exit 0 means all seven requests were answered right.
      expect(ours.code).toBe(0);
      expect(book.code).toBe(0);
      expect(ours.lines.map((l) => l[0])).toEqual(['501', '404', '404', '404', '200', '200']);
      expect(ours.lines.map((l) => l[0])).toEqual(book.lines.map((l) => l[0]));
      for (const [i, [, type, text]] of ours.lines.entries()) {
        const [, bookType, bookText] = book.lines[i]!;
        if (ours.lines[i]![0] === '200') {
          expect(text).toMatch(CTIME);
          expect(bookText).toMatch(CTIME);
        } else {
          expect(text).toBe(bookText);
        }
        // WebOb's Response defaults to HTML; the Fetch standard's Response to plain text.
        if (kind === 'webob') {
          expect(bookType).toBe('text/html; charset=UTF-8');
          expect(type).toBe('text/plain;charset=UTF-8');
        } else {
          expect(type).toBe(bookType);
        }
      }
    });
  }

  it('each app sees only the path below its mount point, and TRACE gets a 405', async () => {
    for (const kind of KINDS) {
      const base = `http://127.0.0.1:${app.port}/timeapp/${kind}`;
      expect((await fetch(`${base}/?x=1`)).status).toBe(200);
      expect((await fetch(`${base}/timeapp/${kind}/`)).status).toBe(404);
      const head = await fetch(`${base}/`, { method: 'HEAD' });
      expect(head.status).toBe(501);
      const trace = await fetch(`${base}/`, { method: 'OPTIONS' });
      expect(trace.status).toBe(501);
    }
    const trace = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-X',
      'TRACE',
      `${app.url}/timeapp/raw/`,
    ]);
    expect(trace.stdout).toBe('405');
  });
});
