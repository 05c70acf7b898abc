/** Small HTTP GET helpers for the pollers: a deadline on every call, credentials from the URL. */

export interface Target {
  /** URL without user:password. */
  url: string;
  headers: Record<string, string>;
}

/** Splits user:password out of a URL into a Basic Authorization header (fetch refuses them inline). */
export function targetOf(raw: string): Target {
  const u = new URL(raw);
  const headers: Record<string, string> = {};
  if (u.username) {
    const creds = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    headers.authorization = `Basic ${Buffer.from(creds).toString('base64')}`;
  }
  u.username = '';
  u.password = '';
  return { url: u.toString().replace(/\/$/, ''), headers };
}

export async function getJson<T>(t: Target, path: string, timeoutMs: number): Promise<T> {
  const res = await fetch(`${t.url}${path}`, { headers: t.headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export async function getText(url: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, text: await res.text() };
}

/** One line for the page: what failed, without a stack. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return `${err.message} (${cause.code})`;
    if (err.name === 'TimeoutError') return 'timed out';
    return err.message;
  }
  return String(err);
}
