/**
 * Digest auth (RFC 7616) with real clients: curl --digest, Python's
 * urllib.request.HTTPDigestAuthHandler and a by-hand hashlib client for what urllib lacks
 * (SHA-256, SHA-512, auth-int). The differential test compares the same flows with httpbin.
 */
import { createHmac } from 'node:crypto';
import { run } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NonceKeeper, parseDigest } from '../src/httpbin/digest.ts';
import { startApp, type TestApp } from './helpers.ts';
import { authorization } from './httpbin/digest-flow.ts';
import { DEBIAN_PYTHON } from './httpbin/peer.ts';

const CLIENT = new URL('./peers/digest_client.py', import.meta.url).pathname;
const SECRET = 'x'.repeat(40);

async function curlDigest(url: string, credentials: string): Promise<{ status: string; body: string }> {
  const r = await run('curl', ['-sS', '--digest', '-u', credentials, '-w', '\n%{http_code}', url], {
    timeoutMs: 15_000,
  });
  expect(r.stderr).toBe('');
  const lines = r.stdout.split('\n');
  return { status: lines.pop()!, body: lines.join('\n') };
}

async function python(mode: 'urllib' | 'rfc7616', url: string, user: string, password: string) {
  const r = await run(DEBIAN_PYTHON, [CLIENT, mode, url, user, password], { timeoutMs: 15_000 });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

describe('Digest auth with real clients', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp('sqlite', { sessionSecret: SECRET });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('curl --digest logs in with MD5 and SHA-256, qop auth and auth-int, and fails with a wrong password', async () => {
    for (const path of [
      '/digest-auth/auth/user/passwd',
      '/digest-auth/auth/user/passwd/SHA-256',
      '/digest-auth/auth-int/user/passwd/MD5',
      '/digest-auth/auth-int/user/passwd/SHA-256',
    ]) {
      const ok = await curlDigest(app.url + path, 'user:passwd');
      expect([path, ok.status, JSON.parse(ok.body)]).toEqual([
        path,
        '200',
        { authenticated: true, user: 'user' },
      ]);
    }
    expect((await curlDigest(`${app.url}/digest-auth/auth/user/passwd/SHA-256`, 'user:nope')).status).toBe(
      '401',
    );
  });

  it("Python's HTTPDigestAuthHandler logs in (MD5, qop auth) and gets a 401 with a wrong password", async () => {
    const url = `${app.url}/digest-auth/auth/user/passwd/MD5`;
    expect(await python('urllib', url, 'user', 'passwd')).toEqual({
      status: 200,
      body: { authenticated: true, user: 'user' },
    });
    expect((await python('urllib', url, 'user', 'wrong')).status).toBe(401);
  });

  it('a hashlib client logs in with SHA-512 and with auth-int, as RFC 7616 computes them', async () => {
    for (const [path, qop, algorithm] of [
      ['/digest-auth/auth/ann/s3cret/SHA-512', 'auth', 'SHA-512'],
      ['/digest-auth/auth-int/ann/s3cret/SHA-512', 'auth-int', 'SHA-512'],
      ['/digest-auth/any/ann/s3cret/SHA-256', 'auth-int', 'SHA-256'], // both offered: it picks auth-int
    ] as const) {
      expect(await python('rfc7616', app.url + path, 'ann', 's3cret')).toEqual({
        status: 200,
        qop,
        algorithm,
        body: { authenticated: true, user: 'ann' },
      });
    }
    expect(
      (await python('rfc7616', `${app.url}/digest-auth/auth/ann/s3cret/SHA-512`, 'ann', 'no')).status,
    ).toBe(401);
  });

  it('answers an expired nonce of its own with stale=TRUE, and a forged one with stale=FALSE', async () => {
    const path = '/digest-auth/auth/user/passwd/SHA-256';
    const fresh = (await fetch(app.url + path)).headers.get('www-authenticate')!;
    // The same key the server derives from SESSION_SECRET: an authentic nonce from 10 minutes ago.
    const keeper = new NonceKeeper(createHmac('sha256', SECRET).update('digest-auth nonces').digest());
    const old = keeper.issue(Date.now() - 10 * 60_000);
    const expired = fresh
      .replace(/nonce="[^"]*"/, `nonce="${old.nonce}"`)
      .replace(/opaque="[^"]*"/, `opaque="${old.opaque}"`);
    const send = (challenge: string, password = 'passwd') =>
      fetch(app.url + path, {
        headers: { authorization: authorization(challenge, { user: 'user', password, uri: path }) },
      });
    const stale = await send(expired);
    expect(stale.status).toBe(401);
    expect(parseDigest(stale.headers.get('www-authenticate')!)?.stale).toBe('TRUE');
    // stale=TRUE tells the client to retry with the new nonce, without asking the user again.
    expect((await send(stale.headers.get('www-authenticate')!)).status).toBe(200);
    const forged = fresh.replace(/nonce="[^"]*"/, 'nonce="mxa.00.00"');
    const refused = await send(forged);
    expect(refused.status).toBe(401);
    expect(parseDigest(refused.headers.get('www-authenticate')!)?.stale).toBe('FALSE');
    // An expired nonce with a wrong password is no stale nonce: the password is wrong.
    expect(parseDigest((await send(expired, 'wrong')).headers.get('www-authenticate')!)?.stale).toBe('FALSE');
  });

  it('parses quoted, escaped and bare auth-params', () => {
    expect(parseDigest('Digest username="a\\"b", nc=00000001, qop=auth, uri="/x?a=1,2"')).toEqual({
      username: 'a"b',
      nc: '00000001',
      qop: 'auth',
      uri: '/x?a=1,2',
    });
    expect(parseDigest('Basic abc')).toBeUndefined();
  });
});
