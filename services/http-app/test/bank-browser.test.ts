import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.ts';
import { DATABASES, startApp, type TestApp } from './helpers.ts';

const OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));

/** A page on another origin that tries to make the logged-in user pay mallory. */
function attackPage(bankUrl: string): string {
  return `<!doctype html><title>Win a prize</title>
<form id="f" method="post" action="${bankUrl}/bank/pay">
  <input name="account" value="mallory"><input name="dollars" value="1000"><input name="memo" value="prize">
  <input name="csrf_token" value="guessed-token">
</form>
<script>document.getElementById('f').submit()</script>`;
}

function startAttacker(bankUrl: string): Promise<http.Server> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(attackPage(bankUrl));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.each(DATABASES)('the bank in Chromium, on %s', (db) => {
  let app: TestApp;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let attacker: http.Server;
  const dialogs: string[] = [];

  beforeAll(async () => {
    app = await startApp(db);
    attacker = await startAttacker(app.url);
    browser = await launchBrowser();
    context = browser.context;
    page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => attacker?.close(r));
    await app?.close();
  });

  async function pay(account: string, dollars: string, memo: string) {
    await page.goto(`${app.url}/bank/pay`);
    await page.fill('input[name=account]', account);
    await page.fill('input[name=dollars]', dollars);
    await page.fill('input[name=memo]', memo);
    await page.click('main button[type=submit]');
    await page.waitForLoadState();
  }

  it('logs in, pays, and sees the payment on the account page', async () => {
    await page.goto(`${app.url}/bank/`);
    expect(new URL(page.url()).pathname).toBe('/bank/login');
    await page.fill('input[name=username]', 'brandon');
    await page.fill('input[name=password]', 'atigdng');
    await page.click('main button[type=submit]');
    // Bounded by a condition, not the poll's 1 s default: scrypt and the redirect take longer at load 50.
    await expect.poll(() => page.textContent('h1'), { timeout: 20_000 }).toBe('Welcome, brandon');
    await pay('sam', '17', 'Pizza on Friday');
    await page.waitForURL(/\/bank\/\?flash=paid$/);
    expect(await page.textContent('.flash')).toBe('Payment successful');
    expect(await page.textContent('.payments li:first-child')).toBe('$17 to sam for: Pizza on Friday');
    const cookies = await context.cookies(`${app.url}/bank/`);
    const session = cookies.find((c) => c.name === 'bank_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/bank' });
    expect(await page.evaluate(() => document.cookie)).toBe(''); // HttpOnly: invisible to scripts
  });

  it('shows a form error for a negative amount and stores nothing', async () => {
    const before = (await app.store.paymentsOf('brandon')).length;
    await pay('sam', '-5', 'refund please');
    expect(await page.textContent('.complaint')).toContain('Dollars must be a whole number');
    expect(await page.inputValue('input[name=memo]')).toBe('refund please');
    expect((await app.store.paymentsOf('brandon')).length).toBe(before);
  });

  it('renders a script memo as text: no script runs', async () => {
    const memo = `<script>alert('xss')</script><img src=x onerror="alert('img')">`;
    await pay('sam', '1', memo);
    expect(await page.textContent('.payments li:first-child i')).toBe(memo);
    expect(await page.locator('.payments script, .payments img').count()).toBe(0);
    await page.reload();
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
  });

  it('saves a screenshot of the account page', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    await page.goto(`${app.url}/bank/`);
    const png = await page.screenshot({ path: `${OUTPUT}account-${db}.png`, fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it.each([
    ['the same site on another port', (port: number) => `http://127.0.0.1:${port}/`],
    ['another site (localhost)', (port: number) => `http://localhost:${port}/`],
  ])('a CSRF attack page on %s cannot make a payment', async (what, attackUrl) => {
    const before = await app.store.paymentsOf('brandon');
    const port = (attacker.address() as AddressInfo).port;
    const landed = page.waitForURL(/\/bank\//);
    await page.goto(attackUrl(port));
    await landed;
    // Same site: the cookie goes along but the token is wrong (403). Cross site: SameSite=Lax
    // keeps the cookie off the POST, so the bank sees nobody and sends the browser to log in;
    // that top-level GET carries the cookie again and ends on an empty pay form.
    const text = (await page.textContent('h1')) ?? '';
    if (what.startsWith('the same site')) expect(text).toBe('403 Forbidden');
    else {
      expect(text).toBe('Make a payment');
      expect(await page.inputValue('input[name=account]')).toBe('');
    }
    expect(await app.store.paymentsOf('brandon')).toEqual(before);
    expect((await app.store.paymentsOf('mallory')).length).toBe(0);
  });

  it('logging out ends the session', async () => {
    await page.goto(`${app.url}/bank/`);
    await page.click('form.logout button');
    await page.waitForURL(/\/bank\/login$/);
    expect(new URL(page.url()).pathname).toBe('/bank/login');
    expect((await context.cookies(`${app.url}/bank/`)).some((c) => c.name === 'bank_session')).toBe(false);
    await page.goto(`${app.url}/bank/`);
    expect(await page.textContent('h1')).toBe('Please log in');
  });
});
