/** Small promise wrappers over node:dgram shared by the clients. */
import dgram from 'node:dgram';
import { classifyError, formatHostPort, InvalidConfigError, resolveAll } from '@fopnp/net';

export interface Target {
  address: string;
  family: 4 | 6;
  /** host:port as the user gave it, for messages. */
  label: string;
}

/** Resolves `host` (NameResolutionError if it cannot), preferring IPv4 as the book does. */
export async function resolveTarget(host: string, port: number, family: 0 | 4 = 0): Promise<Target> {
  // Port 0 means "any free port" when binding, but nothing can be sent to it.
  if (!(port >= 1 && port <= 65535))
    throw new InvalidConfigError('--port', `a destination port must be 1..65535, got ${port}`);
  const addresses = await resolveAll(host, { family });
  const chosen = addresses.find((a) => a.family === 4) ?? addresses[0]!;
  return { ...chosen, label: formatHostPort(host, port) };
}

/** A socket of the target's family whose errors surface through the calls below. */
export function openSocket(family: 4 | 6): dgram.Socket {
  const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  // Errors are reported by the pending send or receive; none must crash the process.
  socket.on('error', () => undefined);
  return socket;
}

export function connectSocket(socket: dgram.Socket, target: Target, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(classifyError(err, target.label));
    socket.once('error', onError);
    // connect() reports its failure (ENETUNREACH: no route) to this callback, not as an
    // 'error' event: resolving regardless left the socket unconnected, and the next
    // send(data, callback) then read the callback as a port (ERR_SOCKET_BAD_PORT).
    socket.connect(port, target.address, (err?: Error) => {
      socket.off('error', onError);
      if (err) reject(classifyError(err, target.label));
      else resolve();
    });
  });
}

/** Sends one datagram; `port`/`address` only for an unconnected socket. */
export function sendDatagram(
  socket: dgram.Socket,
  data: Buffer,
  where: { port: number; address: string } | undefined,
  label: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null) =>
      err ? reject(classifyError(err, label, { size: data.length })) : resolve();
    if (where) socket.send(data, where.port, where.address, done);
    else socket.send(data, done);
  });
}

/** The next datagram, or null after `timeoutMs`; a socket error (ICMP refused) rejects. */
export function nextDatagram(socket: dgram.Socket, timeoutMs: number, label: string): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      cleanup();
      resolve(data);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(classifyError(err, label));
    };
    const timer = setTimeout(() => {
      cleanup();
      resolve(null);
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.off('error', onError);
    };
    socket.on('message', onMessage);
    socket.on('error', onError);
  });
}

export function closeQuietly(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // already closed
  }
}
