/**
 * A service's smoke checks: what a user would do with it once, on its real ports, against
 * a running stack (the local one or compose's published ports). Each service exports its
 * own from `src/smoke.ts` (package export `./smoke`); tools/stack runs every service's in
 * one tour. A check returns a one-line detail or throws with the reason.
 */
import net from 'node:net';
import { StreamReader } from './framing.js';
import { HEALTH_PATHS } from './health.js';

/** One running instance of a service, as a check reaches it. */
export interface SmokeTarget {
  /** Instance name: the service, or a variant's compose name (e.g. "redis-cache-sharded"). */
  instance: string;
  /** The manifest name. */
  service: string;
  /** "default" or the variant's profile. */
  profile: string;
  /** `local`: a process of tools/stack on this machine; `compose`: a container, through its published ports. */
  where: 'local' | 'compose';
  /** Address every port below is reached on. */
  host: string;
  /** Reachable ports by declared name (compose publishes only the public ones). */
  ports: Readonly<Record<string, number>>;
  /** The reachable port of a declared port (by its name); throws when it is not reachable. */
  port(name: string): number;
  /** The reachable health port, when it is (compose does not publish every instance's). */
  healthPort?: number;
  /** The instance's environment (its settings, e.g. CACHE_TOPOLOGY or ROLE). */
  env: Readonly<Record<string, string>>;
  /** Services of the same tour (manifest names), for checks that go through another one. */
  tour: ReadonlySet<string>;
}

export interface SmokeCheck {
  /** A few words, e.g. "cache miss then hit". */
  name: string;
  /** False when the check means nothing for this instance (a pipeline role without the tally). */
  appliesTo?(target: SmokeTarget): boolean;
  run(target: SmokeTarget): Promise<string>;
}

/** What a `./smoke` export provides. */
export interface SmokeModule {
  smoke: SmokeCheck[];
}

/** Identity helper that types a service's checks. */
export function defineSmoke(checks: SmokeCheck[]): SmokeCheck[] {
  return checks;
}

/** The check every instance with a reachable health port gets: liveness and readiness both 200. */
export const healthCheck: SmokeCheck = {
  name: 'health',
  appliesTo: (t) => t.healthPort !== undefined,
  async run(t) {
    const states: string[] = [];
    for (const path of [HEALTH_PATHS.liveness, HEALTH_PATHS.readiness]) {
      const { status, json } = await smokeFetch(`http://${t.host}:${t.healthPort}${path}`);
      const state = (json as { status?: string } | undefined)?.status;
      if (status !== 200) throw new Error(`${path} answered ${status} (${state ?? 'no status'})`);
      states.push(`${path} ${state}`);
    }
    return states.join(', ');
  },
};

/** fetch with a deadline; the body as text and, when it parses, as JSON. */
export async function smokeFetch(
  url: string,
  init: RequestInit & { timeoutMs?: number } = {},
): Promise<{ status: number; text: string; json?: unknown; headers: Headers }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

/**
 * Connects, sends `send` and reads the reply with `read`. With `checkClose`, also reads
 * on until the server closes, and reports whether it did so without sending more.
 */
export async function tcpExchange(
  host: string,
  port: number,
  send: string | Buffer,
  read: (r: StreamReader) => Promise<Buffer | null>,
  opts: { timeoutMs?: number; checkClose?: boolean } = {},
): Promise<{ reply: string; closedAfter?: boolean }> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const sock = net.connect(port, host);
  const timer = setTimeout(() => sock.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const reader = new StreamReader(sock);
    sock.write(send);
    const reply = (await read(reader))?.toString() ?? '';
    if (!opts.checkClose) return { reply };
    const more = await reader.readSome();
    return { reply, closedAfter: more === null };
  } finally {
    clearTimeout(timer);
    sock.destroy();
  }
}
