/** Chapter 4's www_ping.py: getaddrinfo with the book's flags, then a TCP connect to port 80. */
import dns from 'node:dns';
import net from 'node:net';
import { say } from '@fopnp/net';

/** What Python's socket errors print as e.args[1] (strerror / gai_strerror) for the usual codes. */
const STRERROR: Record<string, string> = {
  ENOTFOUND: 'Name or service not known',
  EAI_NONAME: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
  EAI_FAIL: 'Non-recoverable failure in name resolution',
  EAI_NODATA: 'No address associated with hostname',
  ECONNREFUSED: 'Connection refused',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ECONNRESET: 'Connection reset by peer',
};

const strerror = (err: NodeJS.ErrnoException) => STRERROR[err.code ?? ''] ?? err.message;

/**
 * www_ping.py. The book asks getaddrinfo for AI_ADDRCONFIG | AI_V4MAPPED | AI_CANONNAME;
 * Node's dns.lookup() passes the first two as its hints (dns.ADDRCONFIG, dns.V4MAPPED) but
 * has no AI_CANONNAME, so the name printed is the one given. Returns the exit code: 1 for a
 * name service failure (the book's sys.exit(1)), 0 otherwise, as the book's.
 */
export async function wwwPing(hostname: string, port = 80, timeoutMs = 10_000): Promise<number> {
  let address: dns.LookupAddress;
  try {
    address = await dns.promises.lookup(hostname, { hints: dns.ADDRCONFIG | dns.V4MAPPED });
  } catch (err) {
    say(`Name service failure: ${strerror(err as NodeJS.ErrnoException)}`);
    return 1;
  }
  const failure = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const sock = net.connect({ host: address.address, port, family: address.family, timeout: timeoutMs });
    sock.once('connect', () => {
      sock.destroy();
      resolve(undefined);
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    });
    sock.once('error', resolve);
  });
  if (failure) say(`Network failure: ${strerror(failure)}`);
  else say(`Success: host ${hostname} is listening on port ${port}`);
  return 0;
}
