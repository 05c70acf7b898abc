/**
 * Waiting for something to come up: a TCP port that accepts, an HTTP URL that answers.
 * Bounded in time, polling gently. Used by tests and by tools that start processes (the
 * local stack), so they live outside `testing`.
 */
import net from 'node:net';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until a TCP port accepts connections. */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${host}:${port} did not open within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Polls an HTTP URL until it answers with the wanted status. */
export async function waitForHttp(url: string, { status = 200, timeoutMs = 15_000 } = {}): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === status) return res;
      last = `status ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (${last})`);
    await sleep(100);
  }
}
