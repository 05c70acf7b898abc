/**
 * The tls-inspector adapter: tls.inspect as GET /inspect?host=&port= on its HTTP API,
 * through the downstream's deadline and breaker.
 */
import { InvalidParamsError } from '../errors.js';
import type { Downstream } from './downstream.js';
import { failed, parseJsonReply, rejected, request, withSlash } from './http.js';

/** tls.inspect(host, [port]): tls-inspector's report on that endpoint. */
export async function tlsInspect(down: Downstream, base: URL, host: string, port: number): Promise<unknown> {
  if (host.length === 0 || host.length > 253)
    throw new InvalidParamsError('tls.inspect(host, [port]): bad host');
  if (port < 1 || port > 65535)
    throw new InvalidParamsError('tls.inspect(host, [port]): port must be 1 to 65535');
  const url = new URL('inspect', withSlash(base));
  url.searchParams.set('host', host);
  url.searchParams.set('port', String(port));
  // Nested deadlines: the inspector must give up on a silent target before this call's own
  // deadline passes, so the caller hears the target's timeout (its 504) and the gateway's
  // breaker, which counts only the inspector's own failures, never sees it.
  url.searchParams.set('timeoutMs', String(inspectorBudgetMs(down.timeoutMs)));
  return request(down, 'tls.inspect', url, { headers: { accept: 'application/json' } }, (reply) => {
    // tls-inspector reports an unreachable or non-TLS *target* as 502/504: that is the
    // target's failure, not the inspector's, so it must not open the inspector's breaker.
    // Nor does its 503 "busy" (all slots taken, answered at once): it is up and said so.
    if (
      (reply.status >= 400 && reply.status < 500) ||
      reply.status === 502 ||
      reply.status === 504 ||
      (reply.status === 503 && reply.body.includes('"FOPNP_TLS_INSPECTOR_ERR_BUSY"'))
    )
      throw rejected(down, reply);
    if (reply.status !== 200) throw failed(down, reply);
    return parseJsonReply(down, reply);
  });
}

/**
 * What the inspector is given of the gateway's call deadline: a quarter (at least 250 ms)
 * is kept for the HTTP exchange around the inspection and the inspector's own report.
 */
export function inspectorBudgetMs(callTimeoutMs: number): number {
  return Math.max(1, callTimeoutMs - Math.max(250, Math.floor(callTimeoutMs / 4)));
}
