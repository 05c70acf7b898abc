/**
 * Chapter 11's attacks, the book's own attack.js (XSS) and csrf.html (CSRF), in a real Chromium:
 * they succeed against the insecure bank (app_insecure.py's counterpart) and fail against the
 * secured one.
 *
 * The book's files are read from ../shared/peers/fopnp-py3/chapter11 and patched in memory, as
 * little as the test needs (the book runs everything on http://localhost:5000):
 *  - attack.js posts to 'http://localhost:5000/pay': here the bank's own path ('/pay', or
 *    '/bank/pay' for the secured bank), and its lines joined, so that as a memo it fits the
 *    secured bank's 200-character limit (the attack must be stored there to be shown failing);
 *  - csrf.html's form posts to 'http://localhost:5000/pay': here the bank's URL; and it names
 *    the memo field "message", which app_insecure.py never reads (the book's own attack would
 *    get "Please fill in all three fields"), so the copy names it "memo".
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBank } from '../src/bank/open.ts';
import type { BankStore, Payment } from '../src/bank/store.ts';
import { createInsecureBank } from '../src/insecure-bank/app.ts';
import { launchBrowser } from './browser.ts';
import { Agent, startApp, type TestApp } from './helpers.ts';

const BOOK_CH11 = new URL('../../../../shared/peers/fopnp-py3/chapter11/', import.meta.url);
const ATTACK_JS = readFileSync(new URL('attack.js', BOOK_CH11), 'utf8');
const CSRF_HTML = readFileSync(new URL('csrf.html', BOOK_CH11), 'utf8');

function attackMemo(payPath: string): string {
  expect(ATTACK_JS).toContain("'http://localhost:5000/pay'");
  return ATTACK_JS.replace("'http://localhost:5000/pay'", `'${payPath}'`)
    .split('\n')
    .map((l) => l.trim())
    .join('');
}

function csrfPage(payUrl: string): string {
  expect(CSRF_HTML).toContain('action="http://localhost:5000/pay"');
  expect(CSRF_HTML).toContain('name="message"');
  return CSRF_HTML.replace('action="http://localhost:5000/pay"', `action="${payUrl}"`).replace(
    'name="message"',
    'name="memo"',
  );
}

/** The attacker's site: another origin (another port) serving the patched csrf.html. */
async function startAttacker(pages: Record<string, string>): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const page = pages[req.url ?? ''];
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html' });
    res.end(page ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

/** Waits (bounded) until `check` holds; false if it never did. */
async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const paidTo = (payments: Payment[], payer: string, payee: string, dollars: number) =>
  payments.some((p) => p.payer === payer && p.payee === payee && p.dollars === dollars);

describe("the book's XSS and CSRF attacks in Chromium", () => {
  let secured: TestApp;
  let insecure: FastifyInstance;
  let insecureStore: BankStore;
  let insecureUrl: string;
  let attacker: http.Server;
  let attackerUrl: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;

  beforeAll(async () => {
    secured = await startApp('sqlite');
    insecureStore = await openBank({ sqlitePath: ':memory:' });
    insecure = await createInsecureBank(insecureStore);
    await insecure.listen({ port: 0, host: '127.0.0.1' });
    insecureUrl = `http://127.0.0.1:${(insecure.server.address() as AddressInfo).port}`;
    attacker = await startAttacker({
      '/insecure/csrf.html': csrfPage(`${insecureUrl}/pay`),
      '/secured/csrf.html': csrfPage(`${secured.url}/bank/pay`),
    });
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => attacker?.close(r));
    await insecure?.close();
    await insecureStore?.close();
    await secured?.close();
  });

  async function logInInsecure(): Promise<void> {
    await page.goto(`${insecureUrl}/login`);
    await page.fill('input[name=username]', 'brandon');
    await page.fill('input[name=password]', 'atigdng');
    await page.click('button[type=submit]');
    await page.waitForURL(`${insecureUrl}/`);
  }

  async function logInSecured(): Promise<void> {
    await page.goto(`${secured.url}/bank/login`);
    if (page.url() === `${secured.url}/bank/`) return; // still logged in: the login page sends you home
    await page.fill('input[name=username]', 'brandon');
    await page.fill('input[name=password]', 'atigdng');
    await page.click('main button[type=submit]');
    await page.waitForURL(`${secured.url}/bank/`);
  }

  it('XSS succeeds on the insecure bank: sam\'s memo runs in brandon\'s page and pays "hacker"', async () => {
    // sam pays brandon $1 with attack.js as the memo (and the book's flaw: the cookie is the login).
    const planted = await fetch(`${insecureUrl}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'username=sam' },
      body: new URLSearchParams({ account: 'brandon', dollars: '1', memo: attackMemo('/pay') }).toString(),
      redirect: 'manual',
    });
    expect(planted.status).toBe(302);
    expect(paidTo(await insecureStore.paymentsOf('brandon'), 'brandon', 'hacker', 110)).toBe(false);
    await logInInsecure(); // lands on the account page, where the memo runs
    expect(
      await eventually(async () =>
        paidTo(await insecureStore.paymentsOf('brandon'), 'brandon', 'hacker', 110),
      ),
    ).toBe(true);
  });

  it('XSS fails on the secured bank: the same memo is shown as text, nothing is paid', async () => {
    const sam = new Agent(secured.url);
    const login = await sam.get('/bank/login');
    const loginToken = /name="csrf_token" value="([^"]+)"/.exec(await login.text())![1]!;
    await sam.postForm('/bank/login', { csrf_token: loginToken, username: 'sam', password: 'xyzzy' });
    const payPage = await (await sam.get('/bank/pay')).text();
    const token = /name="csrf_token" value="([^"]+)"/.exec(payPage)![1]!;
    const memo = attackMemo('/bank/pay');
    const paid = await sam.postForm('/bank/pay', {
      csrf_token: token,
      account: 'brandon',
      dollars: '1',
      memo,
    });
    expect(paid.status).toBe(303); // stored: the attack really is on brandon's page
    await logInSecured();
    await page.waitForLoadState('load');
    expect(await page.textContent('.payments')).toContain(memo); // the script's text, as text
    expect(await page.locator('main script').count()).toBe(0);
    // Give a script that ran time to post, then look: nothing paid to hacker.
    await page.waitForTimeout(1000);
    expect(paidTo(await secured.store.paymentsOf('brandon'), 'brandon', 'hacker', 110)).toBe(false);
  });

  it('CSRF succeeds on the insecure bank: the "Win Big!" page on another origin pays sam $220', async () => {
    await logInInsecure();
    await page.goto(`${attackerUrl}/insecure/csrf.html`);
    expect(await page.title()).toBe('Win Big!');
    await page.click('button[type=submit]');
    await page.waitForURL(/flash=Payment/);
    expect(paidTo(await insecureStore.paymentsOf('brandon'), 'brandon', 'sam', 220)).toBe(true);
  });

  it('CSRF fails on the secured bank: the same page gets a 403, nothing is paid', async () => {
    await logInSecured();
    await page.goto(`${attackerUrl}/secured/csrf.html`);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${secured.url}/bank/pay` && r.request().method() === 'POST'),
      page.click('button[type=submit]'),
    ]);
    // Same site (127.0.0.1, another port), so SameSite=Lax lets the cookie go: the token refuses it.
    expect(answer.status()).toBe(403);
    expect(paidTo(await secured.store.paymentsOf('brandon'), 'brandon', 'sam', 220)).toBe(false);
  });
});
