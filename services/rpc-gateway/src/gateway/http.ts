/**
 * HTTP exchanges for the HTTP adapters (cache.ts: redis-cache, tls.ts: tls-inspector).
 * Node's fetch, with the per-call AbortSignal as deadline.
 */
import { classifyError } from '@fopnp/net';
import { ServiceError } from '../errors.js';
import type { Downstream } from './downstream.js';

/** fetch() hides the socket error in `cause`; turn it back into a classified one. */
function unwrapFetchError(err: unknown, target: string): unknown {
  if (err instanceof Error && err.name === 'AbortError') return err;
  if (err instanceof TypeError && err.cause) return classifyError(err.cause, target);
  return err;
}

export interface HttpReply {
  status: number;
  contentType: string;
  body: string;
}

/**
 * One HTTP exchange with the downstream. `interpret` runs inside the breaker, so what it
 * throws counts as a failure of the service, except SERVICE_REJECTED (a 4xx: the service
 * is fine, the request was not).
 */
export async function request<T>(
  down: Downstream,
  what: string,
  url: URL,
  init: { method?: string; body?: string; headers?: Record<string, string> },
  interpret: (reply: HttpReply) => T,
  maxBodyBytes = 4 * 1024 * 1024,
): Promise<T> {
  return down.call(what, async (signal) => {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal, redirect: 'manual' });
    } catch (err) {
      throw unwrapFetchError(err, url.host);
    }
    const tooLarge = (detail: string) => new ServiceError('BAD_REPLY', down.service, down.target, detail);
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > maxBodyBytes) {
      await res.body?.cancel();
      throw tooLarge(`reply of ${declared} bytes is too large`);
    }
    // Counted as it arrives too: a chunked reply declares no length.
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      // Leaving the loop cancels the stream.
      if (size > maxBodyBytes) throw tooLarge(`reply is larger than ${maxBodyBytes} bytes`);
      chunks.push(chunk);
    }
    const body = new TextDecoder().decode(Buffer.concat(chunks)); // as res.text() decodes
    return interpret({ status: res.status, contentType: res.headers.get('content-type') ?? '', body });
  });
}

/** Parses a JSON reply or throws a BAD_REPLY naming the service. */
export function parseJsonReply(down: Downstream, reply: HttpReply): unknown {
  try {
    return JSON.parse(reply.body);
  } catch {
    throw new ServiceError(
      'BAD_REPLY',
      down.service,
      down.target,
      `answered HTTP ${reply.status} with a body that is not JSON: ${JSON.stringify(reply.body.slice(0, 80))}`,
    );
  }
}

/** A 4xx from the service: it is up and said no; the message is passed on. */
export function rejected(down: Downstream, reply: HttpReply): ServiceError {
  let detail = reply.body.slice(0, 300);
  try {
    const parsed = JSON.parse(reply.body) as { error?: unknown; message?: unknown };
    const msg = parsed.error ?? parsed.message;
    if (typeof msg === 'string') detail = msg;
    else if (msg && typeof msg === 'object' && 'message' in msg) detail = String(msg.message);
  } catch {
    // not JSON: keep the raw text
  }
  return new ServiceError('SERVICE_REJECTED', down.service, down.target, `HTTP ${reply.status}: ${detail}`);
}

/** A 5xx or an unexpected status: counts against the breaker. */
export function failed(down: Downstream, reply: HttpReply): ServiceError {
  return new ServiceError(
    'BAD_REPLY',
    down.service,
    down.target,
    `answered HTTP ${reply.status}: ${reply.body.slice(0, 200)}`,
  );
}

/** The URL as a base to resolve relative paths against (its path ending in '/'). */
export function withSlash(u: URL): URL {
  return u.pathname.endsWith('/') ? u : new URL(`${u.pathname}/`, u);
}
