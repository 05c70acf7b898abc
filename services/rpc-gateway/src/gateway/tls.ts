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
  return request(down, 'tls.inspect', url, { headers: { accept: 'application/json' } }, (reply) => {
    // tls-inspector reports an unreachable or non-TLS *target* as 502/504: that is the
    // target's failure, not the inspector's, so it must not open the inspector's breaker.
    if ((reply.status >= 400 && reply.status < 500) || reply.status === 502 || reply.status === 504)
      throw rejected(down, reply);
    if (reply.status !== 200) throw failed(down, reply);
    return parseJsonReply(down, reply);
  });
}
