/**
 * Chapter 11's bank against the book's own programs: mscrape.py reads our account pages (the
 * secured bank's and the insecure one's), and `http-app insecure-bank` binds loopback only.
 */
import type { AddressInfo } from 'node:net';
import { run, startProcess, stopAll } from '@fopnp/net/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBank } from '../src/bank/open.ts';
import type { BankStore } from '../src/bank/store.ts';
import { createInsecureBank } from '../src/insecure-bank/app.ts';
import { isLoopback } from '../src/insecure-bank/command.ts';
import { startApp, type TestApp } from './helpers.ts';

const BOOK_CH11 = new URL('../../../../shared/peers/fopnp-py3/chapter11', import.meta.url).pathname;
const MSCRAPE = new URL('./peers/book_mscrape.py', import.meta.url).pathname;
const CLI = new URL('../dist/src/cli.js', import.meta.url).pathname;

const mscrape = async (...args: string[]) => {
  const r = await run('/usr/bin/python3', [MSCRAPE, BOOK_CH11, ...args], { timeoutMs: 60_000 });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

const TOTAL_LINES = (rows: [number, string][]) =>
  [
    ...rows.map(([d, memo]) => `${String(d).padStart(12)}  ${memo}`),
    `${'--------'.padStart(12)}  ${'-'.repeat(30)}`,
    `${String(rows.reduce((a, [d]) => a + d, 0)).padStart(12)}  Total payments made`,
    '',
  ].join('\n');

describe("the book's mscrape.py reads our banks", () => {
  let secured: TestApp;
  let insecure: FastifyInstance;
  let insecureStore: BankStore;
  let insecureUrl: string;
  beforeAll(async () => {
    secured = await startApp('sqlite');
    insecureStore = await openBank({ sqlitePath: ':memory:' });
    insecure = await createInsecureBank(insecureStore);
    await insecure.listen({ port: 0, host: '127.0.0.1' });
    insecureUrl = `http://127.0.0.1:${(insecure.server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await secured?.close();
    await insecure?.close();
    await insecureStore?.close();
    await stopAll();
  });

  it("totals brandon's payments on the insecure bank, running its own main() (BeautifulSoup and lxml)", async () => {
    // The book's README shows 325 for its three payments; our seed adds brandon's lunch with sam.
    const expected = TOTAL_LINES([
      [125, 'Registration for PyCon'],
      [200, 'Payment for writing that code'],
      [25, 'Lunch at The Kirk'],
    ]);
    expect(await mscrape(insecureUrl)).toBe(expected);
    expect(await mscrape(insecureUrl, '-l')).toBe(expected);
  });

  it('totals them on the secured bank once logged in with its CSRF token (newest first there)', async () => {
    const expected = TOTAL_LINES([
      [25, 'Lunch at The Kirk'],
      [200, 'Payment for writing that code'],
      [125, 'Registration for PyCon'],
    ]);
    expect(await mscrape(`${secured.url}/bank/`, '--secured')).toBe(expected);
    expect(await mscrape(`${secured.url}/bank/`, '-l', '--secured')).toBe(expected);
  });

  it("cannot log in to the secured bank with mscrape's blind POST (no CSRF token): 403", async () => {
    const res = await fetch(`${secured.url}/bank/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=brandon&password=atigdng',
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
  });
});

describe('http-app insecure-bank', () => {
  afterAll(async () => {
    await stopAll();
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', '::1', 'localhost', '::ffff:127.0.0.1'])
      expect(isLoopback(h)).toBe(true);
    for (const h of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '192.168.1.1',
      'example.com',
      '::ffff:10.0.0.1',
      '128.0.0.1',
    ])
      expect(isLoopback(h)).toBe(false);
  });

  it('refuses to bind anything but loopback, with exit 2 and one line', async () => {
    const r = await run(process.execPath, [CLI, 'insecure-bank', '--host', '0.0.0.0', '-p', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'error: invalid value for --host: 0.0.0.0 is not a loopback address: the insecure bank is for attacking on this machine only',
    );
  });

  it("serves the book's insecure bank on a loopback port, warning so", async () => {
    const proc = startProcess(process.execPath, [CLI, 'insecure-bank', '-p', '0']);
    const [, url] = await proc.waitForOutput(/insecure bank on (http:\S+)/, 60_000);
    expect(proc.output()).toContain('WARNING');
    // The book's flaw: a cookie written by hand logs anyone in.
    const page = await (await fetch(url!, { headers: { cookie: 'username=brandon' } })).text();
    expect(page).toContain('<li class="to">$125 to <b>psf</b>');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await proc.stop()).toBe(0);
  });
});
