/**
 * Name resolution and connecting (book ch. 4): resolve a name to every address of both
 * families, then connect trying them in turn with staggered starts (Happy Eyeballs,
 * RFC 8305), so a dead IPv6 address does not stall a working IPv4 one.
 */
import { promises as dns } from 'node:dns';
import net from 'node:net';
import {
  ConnectionRefusedError,
  classifyError,
  HostUnreachableError,
  NameResolutionError,
  type NetError,
  TimeoutError,
} from './errors.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Formats host:port with brackets around IPv6 literals. */
export function formatHostPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Every address of `host`, in the resolver's order with the families interleaved as
 * RFC 8305 §4 asks (first of the preferred family, then alternate).
 */
export async function resolveAll(
  host: string,
  options: { family?: 0 | 4 | 6 } = {},
): Promise<ResolvedAddress[]> {
  if (net.isIP(host)) return [{ address: host, family: net.isIP(host) as 4 | 6 }];
  let results: { address: string; family: number }[];
  try {
    results = await dns.lookup(host, { all: true, family: options.family ?? 0, order: 'verbatim' });
  } catch (err) {
    throw new NameResolutionError(host, { cause: err });
  }
  if (results.length === 0) throw new NameResolutionError(host);
  const seen = new Set<string>();
  const unique = results.filter((r) => !seen.has(r.address) && seen.add(r.address));
  const first = unique[0]!.family;
  const preferred = unique.filter((r) => r.family === first);
  const other = unique.filter((r) => r.family !== first);
  const ordered: ResolvedAddress[] = [];
  for (let i = 0; i < Math.max(preferred.length, other.length); i++) {
    if (preferred[i]) ordered.push({ address: preferred[i]!.address, family: preferred[i]!.family as 4 | 6 });
    if (other[i]) ordered.push({ address: other[i]!.address, family: other[i]!.family as 4 | 6 });
  }
  return ordered;
}

export interface ConnectOptions {
  /** Overall deadline for resolution plus every attempt. @default 10000 */
  timeoutMs?: number;
  /** Delay before starting the next address while one is still pending (RFC 8305). @default 250 */
  attemptDelayMs?: number;
  /** Restrict to one address family. @default 0 (both) */
  family?: 0 | 4 | 6;
  /** Local address to bind before connecting. */
  localAddress?: string;
  /** Abort the whole connect. */
  signal?: AbortSignal;
}

/**
 * Connects to host:port, returning a connected socket. Throws one classified error:
 * NameResolutionError, ConnectionRefusedError, HostUnreachableError or TimeoutError.
 */
export async function connect(host: string, port: number, options: ConnectOptions = {}): Promise<net.Socket> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const attemptDelay = options.attemptDelayMs ?? 250;
  const target = formatHostPort(host, port);
  const deadline = Date.now() + timeoutMs;
  const addresses = await withTimeout(
    resolveAll(host, { family: options.family ?? 0 }),
    timeoutMs,
    `resolving ${host}`,
  );

  return new Promise<net.Socket>((resolve, reject) => {
    const pending = new Set<net.Socket>();
    const failures: NetError[] = [];
    let next = 0;
    let settled = false;
    let staggerTimer: NodeJS.Timeout | undefined;

    const finish = (err: NetError | null, winner?: net.Socket) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      clearTimeout(staggerTimer);
      options.signal?.removeEventListener('abort', onAbort);
      for (const s of pending) if (s !== winner) s.destroy();
      if (winner) {
        winner.setTimeout(0);
        winner.removeAllListeners('timeout');
        resolve(winner);
      } else reject(err);
    };

    const bestFailure = (): NetError => {
      // Refused means a host answered; prefer it over unreachable when both happened.
      return (
        failures.find((f) => f instanceof ConnectionRefusedError) ??
        failures.find((f) => f instanceof HostUnreachableError) ??
        failures[0] ??
        new TimeoutError(`connecting to ${target}`, timeoutMs)
      );
    };

    const startNext = () => {
      if (settled || next >= addresses.length) return;
      const { address, family } = addresses[next++]!;
      const socket = net.connect({ host: address, port, family, localAddress: options.localAddress });
      pending.add(socket);
      socket.once('connect', () => finish(null, socket));
      socket.once('error', (err) => {
        pending.delete(socket);
        failures.push(classifyError(err, addresses.length > 1 ? formatHostPort(address, port) : target));
        if (settled) return;
        if (next < addresses.length) {
          clearTimeout(staggerTimer);
          startNext();
        } else if (pending.size === 0) finish(addresses.length > 1 ? summarise() : bestFailure());
      });
      if (next < addresses.length) {
        clearTimeout(staggerTimer);
        staggerTimer = setTimeout(startNext, attemptDelay);
      }
    };

    const summarise = (): NetError => {
      const err = bestFailure();
      (err as { message: string }).message =
        `${err.message} (tried ${addresses.length} addresses of ${host}: ${addresses.map((a) => a.address).join(', ')})`;
      return err;
    };

    const overall = setTimeout(
      () => finish(new TimeoutError(`connecting to ${target}`, timeoutMs)),
      Math.max(0, deadline - Date.now()),
    );
    const onAbort = () => finish(new TimeoutError(`connecting to ${target} (aborted)`, timeoutMs));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    startNext();
  });
}

/**
 * Rejects with TimeoutError if `promise` has not settled within `ms`. One promise and one
 * timer: Promise.race would add a second promise per call, which shows on hot paths
 * (redis-cache's GET).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
