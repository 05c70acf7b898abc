/**
 * The session cookie: a random id, signed (HMAC) by @fastify/cookie, pointing at a row in
 * the bank's store. HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site
 * POSTs), Secure when the request came over TLS (directly or per a trusted proxy), and
 * scoped to /bank. Logging out deletes the row, so a copied cookie is dead too.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BankStore, Session } from './store.js';

export const SESSION_COOKIE = 'bank_session';
export const LOGIN_CSRF_COOKIE = 'bank_login_csrf';
export const SESSION_TTL_MS = 8 * 3600 * 1000;

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieOptions(request: FastifyRequest, maxAgeSeconds: number) {
  return {
    path: '/bank',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: request.protocol === 'https',
    signed: true,
    maxAge: maxAgeSeconds,
  };
}

/** Reads a signed cookie; a missing, tampered or unsigned value gives undefined. */
export function signedCookie(request: FastifyRequest, name: string): string | undefined {
  const raw = request.cookies[name];
  if (!raw) return undefined;
  const r = request.unsignCookie(raw);
  return r.valid && r.value !== null ? r.value : undefined;
}

export async function currentSession(
  request: FastifyRequest,
  store: BankStore,
): Promise<Session | undefined> {
  const id = signedCookie(request, SESSION_COOKIE);
  if (!id) return undefined;
  const session = await store.getSession(id);
  if (!session || session.expiresAt < Date.now()) return undefined;
  return session;
}

/** A fresh session id on every login, so an id planted before login is worthless. */
export async function startSession(
  request: FastifyRequest,
  reply: FastifyReply,
  store: BankStore,
  username: string,
): Promise<Session> {
  const old = signedCookie(request, SESSION_COOKIE);
  if (old) await store.deleteSession(old);
  const now = Date.now();
  await store.deleteExpiredSessions(now);
  const session = { id: randomToken(), username, csrfToken: randomToken(), expiresAt: now + SESSION_TTL_MS };
  await store.createSession(session);
  reply.setCookie(SESSION_COOKIE, session.id, cookieOptions(request, SESSION_TTL_MS / 1000));
  reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/bank' });
  return session;
}

export async function endSession(
  request: FastifyRequest,
  reply: FastifyReply,
  store: BankStore,
): Promise<void> {
  const id = signedCookie(request, SESSION_COOKIE);
  if (id) await store.deleteSession(id);
  reply.clearCookie(SESSION_COOKIE, { path: '/bank' });
}

/**
 * Before login there is no session to hold a CSRF token, so the login form uses a signed
 * double-submit cookie: the form's hidden field must equal the cookie's value.
 */
export function loginToken(request: FastifyRequest, reply: FastifyReply): string {
  const existing = signedCookie(request, LOGIN_CSRF_COOKIE);
  if (existing) return existing;
  const token = randomToken();
  reply.setCookie(LOGIN_CSRF_COOKIE, token, cookieOptions(request, 3600));
  return token;
}

/** Only a path inside the bank may follow login: never another host, never `//evil`. */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== 'string' || !next.startsWith('/bank/') || /[\\\s]/.test(next)) return undefined;
  try {
    const u = new URL(next, 'http://bank.invalid');
    return u.origin === 'http://bank.invalid' && u.pathname.startsWith('/bank/')
      ? u.pathname + u.search
      : undefined;
  } catch {
    return undefined;
  }
}
