/**
 * Listening on a TCP port with the errors every CLI should print: a port already taken,
 * a port that needs privileges, an address this host does not have. Written once here
 * because every service's server (and the health port) needs exactly this.
 */
import type { AddressInfo, Server } from 'node:net';
import { AddressInUseError, classifyError } from './errors.js';
import { formatHostPort } from './resolve.js';

/**
 * Starts `server` listening and resolves with the bound port (0 picks a free one).
 * `what` names the port in error messages ("health port", "tally HTTP port").
 */
export function listen(server: Server, port: number, host: string, what?: string): Promise<number> {
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
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
