/**
 * Where http-app keeps a limit httpbin does not, or refuses what httpbin would do: each
 * answers with a 400 that names the limit (README's endpoint table lists them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './helpers.ts';

async function refused(url: string, init?: RequestInit): Promise<string> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  expect(res.status).toBe(400);
  const body = await res.json();
  expect(body.error.code).toBe('FOPNP_HTTP_APP_ERR_BAD_PARAMETER');
  return body.error.message as string;
}

describe('deliberate limits', () => {
  let app: TestApp;
  let open: TestApp;
  beforeAll(async () => {
    app = await startApp('sqlite', { maxDelaySeconds: 2 });
    open = await startApp('sqlite', { redirectToHosts: ['example.org'] });
  });
  afterAll(async () => {
    await Promise.all([app?.close(), open?.close()]);
  });

  it('/redirect-to stays on this server unless REDIRECT_TO_HOSTS names the host', async () => {
    expect(await refused(`${app.url}/redirect-to?url=http://example.org/x`)).toContain('REDIRECT_TO_HOSTS');
    expect(await refused(`${app.url}/redirect-to?url=//example.org/x`)).toContain('no open redirect');
    expect(await refused(`${app.url}/redirect-to`)).toContain('url is required');
    const same = await fetch(`${app.url}/redirect-to?url=${encodeURIComponent(`${app.url}/get`)}`, {
      redirect: 'manual',
    });
    expect(same.headers.get('location')).toBe(`${app.url}/get`);
    const allowed = await fetch(`${open.url}/redirect-to?url=http://example.org/x&status_code=307`, {
      redirect: 'manual',
    });
    expect([allowed.status, allowed.headers.get('location')]).toEqual([307, 'http://example.org/x']);
    expect(await refused(`${open.url}/redirect-to?url=http://example.com/`)).toContain('example.com');
  });

  it('redirect chains are 1 to 20 hops', async () => {
    for (const route of ['redirect', 'relative-redirect', 'absolute-redirect']) {
      expect(await refused(`${app.url}/${route}/0`)).toContain('n must be 1 to 20');
      expect(await refused(`${app.url}/${route}/21`)).toContain('n must be 1 to 20');
    }
  });

  it('/drip refuses more than 100 KiB or a duration past MAX_DELAY_SECONDS, naming the limit', async () => {
    expect(await refused(`${app.url}/drip?numbytes=200000&duration=0`)).toContain(
      'numbytes is limited to 102400',
    );
    expect(await refused(`${app.url}/drip?numbytes=10&duration=5`)).toContain('MAX_DELAY_SECONDS');
    expect(await refused(`${app.url}/drip?numbytes=0`)).toContain('positive');
    expect(await refused(`${app.url}/range/10?duration=9`)).toContain('MAX_DELAY_SECONDS');
  });

  it('/delay takes fractions and caps at MAX_DELAY_SECONDS, as httpbin caps at 10', async () => {
    const t0 = Date.now();
    expect((await fetch(`${app.url}/delay/0.3`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(await refused(`${app.url}/delay/soon`)).toContain('delay must be a number');
  });

  it('/response-headers refuses headers that would break the framing, or are not headers', async () => {
    expect(await refused(`${app.url}/response-headers?Content-Length=1`)).toContain('frames the answer');
    expect(await refused(`${app.url}/response-headers?Transfer-Encoding=chunked`)).toContain('frames');
    expect(await refused(`${app.url}/response-headers?${encodeURIComponent('bad name')}=1`)).toContain(
      'not a header name',
    );
    expect(
      await refused(`${app.url}/response-headers?X-A=${encodeURIComponent('a\r\nSet-Cookie: x=1')}`),
    ).toContain('line break');
    const ok = await fetch(`${app.url}/response-headers?X-A=1&X-A=2`);
    expect(ok.headers.get('x-a')).toBe('1, 2');
    const text = await ok.text();
    expect(JSON.parse(text)).toEqual({
      'Content-Length': String(text.length),
      'Content-Type': 'application/json',
      'X-A': ['1', '2'],
    });
  });

  it("keeps the bank's origin safe: URL-chosen content is sandboxed, bank cookies are not set or cleared", async () => {
    const page = await fetch(
      `${app.url}/base64/${Buffer.from('<script>alert(1)</script>').toString('base64url')}`,
    );
    expect(await page.text()).toBe('<script>alert(1)</script>'); // as httpbin answers it...
    expect(page.headers.get('content-security-policy')).toBe('sandbox'); // ...but it cannot run here
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const typed = await fetch(`${app.url}/response-headers?Content-Type=text/html&X-A=%3Cscript%3E`);
    expect(typed.headers.get('content-security-policy')).toBe('sandbox');
    expect(await refused(`${app.url}/response-headers?Content-Security-Policy=default-src%20*`)).toContain(
      'cannot be set',
    );
    expect(
      await refused(`${app.url}/response-headers?Set-Cookie=bank_session%3Dx%3B%20Path%3D%2Fbank`),
    ).toContain('belong to the bank');
    expect(await refused(`${app.url}/cookies/set?bank_session=x`)).toContain('belong to the bank');
    expect(await refused(`${app.url}/cookies/set/bank_login_csrf/x`)).toContain('belong to the bank');
    expect(await refused(`${app.url}/cookies/delete?bank_session`)).toContain('belong to the bank');
    const other = await fetch(`${app.url}/response-headers?Set-Cookie=theme%3Ddark`);
    expect(other.headers.get('set-cookie')).toBe('theme=dark');
  });

  it('/base64 refuses what is not URL-safe base64 of UTF-8 text with a 400 (httpbin: 500)', async () => {
    expect(await refused(`${app.url}/base64/${encodeURIComponent('*!')}`)).toContain('not URL-safe base64');
    expect(await (await fetch(`${app.url}/base64/aGk`)).text()).toBe('hi'); // unpadded is fine here
  });
});
