import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, DATABASES, startApp, type TestApp } from './helpers.ts';

describe.each(DATABASES)('the bank on %s', (db) => {
  let app: TestApp;
  let brandon: Agent;
  beforeAll(async () => {
    app = await startApp(db, { bodyLimit: 4096 });
    brandon = new Agent(app.url);
    expect((await brandon.login()).status).toBe(303);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sends an anonymous visitor to the login page', async () => {
    const res = await new Agent(app.url).get('/bank/');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/bank/login');
  });

  it('logs in with the book password, lists payments, and never stores the password in plain text', async () => {
    const a = new Agent(app.url);
    const res = await a.login();
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/bank/');
    const page = await (await a.get('/bank/')).text();
    expect(page).toContain('Welcome, brandon');
    expect(page).toContain('<li class="to">$125 to <b>psf</b> for: <i>Registration for PyCon</i></li>');
    const stored = await app.store.passwordHashOf('brandon');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored).not.toContain('atigdng');
  });

  it('refuses a wrong password with 401 and no session', async () => {
    const a = new Agent(app.url);
    const res = await a.login('brandon', 'wrong');
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Wrong username or password');
    expect(a.cookies.has('bank_session')).toBe(false);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, signed, scoped to /bank, not Secure over plain HTTP', async () => {
    const a = new Agent(app.url);
    const token = await a.csrfFrom('/bank/login');
    const res = await a.postForm('/bank/login', { csrf_token: token, username: 'sam', password: 'xyzzy' });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('bank_session='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\/bank/);
    expect(cookie).not.toMatch(/; Secure/);
    expect(cookie.split(';')[0]).toMatch(/^bank_session=[\w-]{43}\.[\w/+]+/); // id.signature
  });

  it('rejects a session cookie whose signature was tampered with', async () => {
    const a = new Agent(app.url);
    await a.login();
    const [id, sig] = a.cookies.get('bank_session')!.split('.');
    a.cookies.set('bank_session', `${id}.${sig!.startsWith('A') ? 'B' : 'A'}${sig!.slice(1)}`);
    expect((await a.get('/bank/')).status).toBe(303);
  });

  it('answers every bank page with a CSP and the usual security headers', async () => {
    const res = await new Agent(app.url).get('/bank/login');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a payment without the CSRF token (403) and stores nothing', async () => {
    const a = brandon; // logged in once for the tests that only need a session
    const before = (await app.store.paymentsOf('brandon')).length;
    const res = await a.postForm('/bank/pay', { account: 'mallory', dollars: '100', memo: 'csrf' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('CSRF');
    const wrong = await a.postForm('/bank/pay', {
      csrf_token: 'x'.repeat(43),
      account: 'mallory',
      dollars: '100',
      memo: 'csrf',
    });
    expect(wrong.status).toBe(403);
    expect((await app.store.paymentsOf('brandon')).length).toBe(before);
  });

  it('refuses a login form without its CSRF token', async () => {
    const a = new Agent(app.url);
    const res = await a.postForm('/bank/login', { username: 'brandon', password: 'atigdng' });
    expect(res.status).toBe(403);
  });

  it.each([
    ['-5', 'Dollars must be a whole number'],
    ['ten', 'Dollars must be a whole number'],
    ['1.5', 'Dollars must be a whole number'],
    ['0', 'Dollars must be a whole number'],
    ['', 'Please fill in all three fields'],
  ])('answers dollars=%j with a form error (400) and stores nothing', async (dollars, complaint) => {
    const a = brandon; // logged in once for the tests that only need a session
    const before = (await app.store.paymentsOf('brandon')).length;
    const token = await a.csrfFrom('/bank/pay');
    const res = await a.postForm('/bank/pay', {
      csrf_token: token,
      account: 'sam',
      dollars,
      memo: 'bad amount',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(complaint);
    expect(html).toContain('value="bad amount"'); // the form keeps what was typed
    expect((await app.store.paymentsOf('brandon')).length).toBe(before);
  });

  it('stores a valid payment and shows it, the payee sees it as received', async () => {
    const a = brandon; // logged in once for the tests that only need a session
    const token = await a.csrfFrom('/bank/pay');
    const res = await a.postForm('/bank/pay', {
      csrf_token: token,
      account: 'sam',
      dollars: '42',
      memo: 'for the books',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/bank/?flash=paid');
    const page = await (await a.get('/bank/?flash=paid')).text();
    expect(page).toContain('Payment successful');
    expect(page).toContain('<li class="to">$42 to <b>sam</b> for: <i>for the books</i></li>');
    const sam = new Agent(app.url);
    await sam.login('sam', 'xyzzy');
    expect(await (await sam.get('/bank/')).text()).toContain(
      '<li class="from">$42 from <b>brandon</b> for: <i>for the books</i></li>',
    );
  });

  it('escapes a <script> memo in the page it renders', async () => {
    const a = brandon; // logged in once for the tests that only need a session
    const token = await a.csrfFrom('/bank/pay');
    await a.postForm('/bank/pay', {
      csrf_token: token,
      account: 'sam',
      dollars: '1',
      memo: '<script>alert(1)</script>',
    });
    const page = await (await a.get('/bank/')).text();
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert(1)');
  });

  it.each([
    ['https://evil.example/', '/bank/'],
    ['//evil.example/bank/', '/bank/'],
    ['/\\evil.example', '/bank/'],
    ['/bank/pay', '/bank/pay'],
  ])('after login with next=%j goes to %j (no open redirect)', async (next, expected) => {
    const a = new Agent(app.url);
    const res = await a.login('brandon', 'atigdng', `?next=${encodeURIComponent(next)}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(expected);
  });

  it('logging out deletes the session, so even a copy of the old cookie is dead', async () => {
    const a = new Agent(app.url);
    await a.login();
    const copied = a.cookies.get('bank_session')!;
    const token = await a.csrfFrom('/bank/pay');
    const res = await a.postForm('/bank/logout', { csrf_token: token });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/bank/login');
    expect(a.cookies.has('bank_session')).toBe(false);
    const replay = new Agent(app.url);
    replay.cookies.set('bank_session', copied);
    expect((await replay.get('/bank/')).status).toBe(303);
  });

  it('refuses a logout without the CSRF token (403), and the session lives on', async () => {
    const a = new Agent(app.url);
    await a.login();
    const res = await a.postForm('/bank/logout', {});
    expect(res.status).toBe(403);
    expect(a.cookies.has('bank_session')).toBe(true);
    expect(await (await a.get('/bank/')).text()).toContain('Welcome, brandon');
  });

  it('gives a new session id at login and kills the one the browser held before (no fixation)', async () => {
    const a = new Agent(app.url);
    await a.login('sam', 'xyzzy');
    const before = a.cookies.get('bank_session')!;
    // The login form, fetched as someone signed out, posted with the earlier session cookie
    // still in the jar (as a cookie planted by someone else would be).
    a.cookies.delete('bank_session');
    const token = await a.csrfFrom('/bank/login');
    a.cookies.set('bank_session', before);
    const res = await a.postForm('/bank/login', {
      csrf_token: token,
      username: 'brandon',
      password: 'atigdng',
    });
    expect(res.status).toBe(303);
    const after = a.cookies.get('bank_session')!;
    expect(after.split('.')[0]).not.toBe(before.split('.')[0]);
    const planted = new Agent(app.url);
    planted.cookies.set('bank_session', before);
    expect((await planted.get('/bank/')).status).toBe(303);
    expect(await (await a.get('/bank/')).text()).toContain('Welcome, brandon');
  });

  it('answers an oversized body with 413', async () => {
    const a = brandon; // logged in once for the tests that only need a session
    const res = await a.postForm('/bank/pay', { memo: 'x'.repeat(10_000) });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('too large');
  });

  it('answers a malformed form with 400', async () => {
    const a = brandon; // logged in once for the tests that only need a session
    const res = await a.request('/bank/pay', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'account=%zz&dollars=1',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('malformed form body');
  });

  it('answers JSON sent to the bank with 415, and an unknown bank page with an HTML 404', async () => {
    const a = brandon; // logged in once for the tests that only need a session
    const json = await a.request('/bank/pay', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":',
    });
    expect(json.status).toBe(415);
    const missing = await a.get('/bank/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('text/html');
    expect(await missing.text()).toContain('There is no page at /bank/nowhere');
  });
});

describe('the bank behind a proxy, and its login rate limit', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp('sqlite', { trustProxy: true, loginRateLimit: 3 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('marks the session cookie Secure when a trusted proxy says the client used TLS', async () => {
    const a = new Agent(app.url);
    const token = await a.csrfFrom('/bank/login');
    const res = await a.request('/bank/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
      body: new URLSearchParams({ csrf_token: token, username: 'brandon', password: 'atigdng' }).toString(),
    });
    expect(res.headers.getSetCookie().find((c) => c.startsWith('bank_session='))).toMatch(/; Secure/);
  });

  it('answers the fourth login attempt in a minute from one address with 429', async () => {
    const a = new Agent(app.url);
    const token = await a.csrfFrom('/bank/login');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await a.request('/bank/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.9' },
        body: new URLSearchParams({
          csrf_token: token,
          username: 'brandon',
          password: `guess${i}`,
        }).toString(),
      });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(await res.text()).toContain('Too many login attempts');
      }
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Another address is not limited.
    const other = await a.request('/bank/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.10' },
      body: new URLSearchParams({ csrf_token: token, username: 'brandon', password: 'atigdng' }).toString(),
    });
    expect(other.status).toBe(303);
  });
});

describe('the bank served over TLS directly', () => {
  let app: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'http-app-tls-'));
    const made = await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    expect(made.code).toBe(0);
    app = await startApp('sqlite', {
      tls: { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) },
    });
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks the cookies Secure when curl logs in over HTTPS', async () => {
    const jar = join(dir, 'jar');
    const curl = (...args: string[]) =>
      run('curl', ['-sS', '--cacert', join(dir, 'cert.pem'), '-c', jar, '-b', jar, ...args]);
    const page = await curl('-D', join(dir, 'login-head'), `${app.url}/bank/login`);
    expect(readFileSync(join(dir, 'login-head'), 'utf8')).toMatch(
      /set-cookie: bank_login_csrf=[^\r]*; Secure/i,
    );
    const token = /name="csrf_token" value="([^"]+)"/.exec(page.stdout)![1]!;
    const login = await curl(
      '-D',
      '-',
      '-o',
      '/dev/null',
      '--data-urlencode',
      `csrf_token=${token}`,
      '-d',
      'username=sam',
      '-d',
      'password=xyzzy',
      `${app.url}/bank/login`,
    );
    expect(login.stdout).toMatch(/^HTTP\/1\.1 303/);
    const session = /^set-cookie: (bank_session=.*)\r$/im.exec(login.stdout)![1]!;
    expect(session.split('; ')).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Secure']));
    expect(login.stdout).toMatch(/strict-transport-security: max-age=\d+/i);
    const account = await curl(`${app.url}/bank/`);
    expect(account.stdout).toContain('Welcome, sam');
  });
});

describe('two replicas on one PostgreSQL schema', () => {
  let first: TestApp & { schema: string };
  let second: TestApp;
  const sessionSecret = 'a-secret-both-replicas-share-0123456789';
  beforeAll(async () => {
    first = await startApp('postgres', { sessionSecret });
    second = await startApp('postgres', { sessionSecret }, '127.0.0.1', first.schema);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('share logins, payments and logouts, as a load balancer needs', async () => {
    const onFirst = new Agent(first.url);
    await onFirst.login();
    const onSecond = new Agent(second.url);
    for (const [k, v] of onFirst.cookies) onSecond.cookies.set(k, v);
    const token = await onSecond.csrfFrom('/bank/pay');
    const paid = await onSecond.postForm('/bank/pay', {
      csrf_token: token,
      account: 'sam',
      dollars: '7',
      memo: 'via replica two',
    });
    expect(paid.status).toBe(303);
    expect(await (await onFirst.get('/bank/')).text()).toContain(
      '<li class="to">$7 to <b>sam</b> for: <i>via replica two</i></li>',
    );
    await onFirst.postForm('/bank/logout', { csrf_token: token });
    expect((await onSecond.get('/bank/')).status).toBe(303); // logged out everywhere
  });
});
