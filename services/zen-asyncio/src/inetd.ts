/**
 * inetd mode, the book's in_zen1.py and in_zen2.py: inetd (Debian's openbsd-inetd, or
 * xinetd) owns the port. With `nowait` it accepts each connection and starts us with the
 * connected socket as descriptor 0: one conversation, then we exit. With `wait` it hands
 * us the listening socket as descriptor 0 and waits until we exit: we serve everyone who
 * comes, and leave after `lingerMs` without a connection (the book's 8 s), when inetd
 * starts listening again.
 *
 * Descriptors 0, 1 and 2 are all the socket under inetd: nothing may be printed, and the
 * log goes to a file (`--log-file`) or nowhere.
 */
import { once } from 'node:events';
import net from 'node:net';
import type { Logger } from '@fopnp/net';
import type { ZenLimits } from './config.js';
import { conversationShared, converse } from './conversation.js';
import { createZenServer } from './server.js';
import { emptyStats } from './stats.js';

export interface InetdOptions {
  /** inetd's `wait`: descriptor 0 is the listening socket, not a connection. */
  wait: boolean;
  /** wait mode: exit after this long without a connection. @default 8000 */
  lingerMs: number;
  limits: ZenLimits;
  logger: Logger;
}

/** Serves the socket inetd gave us on descriptor 0; resolves when there is nothing left to do. */
export async function runInetd(options: InetdOptions): Promise<void> {
  const { limits, logger } = options;
  if (!options.wait) {
    const socket = new net.Socket({ fd: 0, allowHalfOpen: true, readable: true, writable: true });
    socket.setNoDelay(true);
    converse(socket, conversationShared(limits, emptyStats(), logger));
    await once(socket, 'close');
    return;
  }
  const zen = createZenServer({ ...limits, logger });
  await new Promise<void>((resolve, reject) => {
    zen.server.once('error', reject);
    zen.server.listen({ fd: 0 }, () => resolve());
  });
  logger.info({ lingerMs: options.lingerMs }, 'serving the listening socket inetd handed over');
  let seen = -1;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const { openConnections, connectionsAccepted } = zen.stats;
      if (openConnections === 0 && connectionsAccepted === seen) {
        clearInterval(timer);
        resolve();
      }
      seen = connectionsAccepted;
    }, options.lingerMs);
  });
  logger.info({ lingerMs: options.lingerMs }, 'no connection for a while: handing the port back to inetd');
  await zen.close();
}
