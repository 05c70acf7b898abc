/**
 * Listening on a TCP port with the errors every CLI should print: a port already taken,
 * a port that needs privileges, an address this host does not have. Written once here
 * because every service's server (and the health port) needs exactly this.
 */
import type { AddressInfo, Server } from 'node:net';
import { AddressInUseError, classifyError } from './errors.js';
import { formatHostPort } from './resolve.js';

export interface ListenOptions {
  /** Names the port in error messages ("health port", "tally HTTP port"). */
  what?: string;
  /** Length of the kernel's accept queue (listen(2)'s backlog). @default Node's 511 */
  backlog?: number;
  /**
   * SO_REUSEPORT (Linux): several sockets, in threads or processes, listen on the same port
   * and the kernel spreads connections between them. @default false
   */
  reusePort?: boolean;
}

/**
 * Starts `server` listening and resolves with the bound port (0 picks a free one). Any
 * `net.Server` works: `http.Server`, `tls.Server` and `https.Server` extend it.
 * `options` may be just the `what` string.
 */
export function listen(
  server: Server,
  port: number,
  host: string,
  options: string | ListenOptions = {},
): Promise<number> {
  const { what, backlog, reusePort } = typeof options === 'string' ? { what: options } : options;
  return new Promise((resolve, reject) => {
    const target = `${formatHostPort(host, port)}${what ? ` (${what})` : ''}`;
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new AddressInUseError(target, { cause: err })
          : classifyError(err, target),
      );
    };
    server.once('error', onError);
    server.listen(
      { port, host, ...(backlog === undefined ? {} : { backlog }), ...(reusePort ? { reusePort } : {}) },
      () => {
        server.off('error', onError);
        resolve((server.address() as AddressInfo).port);
      },
    );
  });
}

/** The address a listening server is bound to (what getsockname() says). */
export function boundAddress(server: Server): AddressInfo {
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('server is not listening on a TCP port');
  return address;
}
