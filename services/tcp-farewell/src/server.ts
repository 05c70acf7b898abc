/**
 * The server side of tcp_sixteen.py. The book's server accepts one client, serves it and
 * only then accepts the next; this one serves every connection concurrently, drops
 * clients that stay silent, and reports what happened through `events` so the CLI can
 * print the book's lines and the service can count metrics from the same code.
 */
import net from 'node:net';
import {
  classifyError,
  formatHostPort,
  IncompleteReadError,
  type NetError,
  pyAddress,
  StreamReader,
  TimeoutError,
  writeAll,
} from '@fopnp/net';
import { FAREWELL, MESSAGE_BYTES } from './protocol.js';

/** One accepted connection, with its names already formatted the way the book prints them. */
export interface ConnectionInfo {
  socketName: string;
  peerName: string;
}

/** Hooks called as each connection progresses. All optional. */
export interface FarewellEvents {
  accepted?(conn: ConnectionInfo): void;
  message?(conn: ConnectionInfo, message: Buffer): void;
  replied?(conn: ConnectionInfo): void;
  /** The client sent more than its sixteen octets (read and discarded, then counted). */
  extraBytes?(conn: ConnectionInfo, count: number): void;
  failed?(conn: ConnectionInfo, err: NetError): void;
  closed?(conn: ConnectionInfo, traffic: { bytesRead: number; bytesWritten: number }): void;
}

export interface FarewellServerOptions {
  /** A client silent this long is dropped. @default 10000 */
  idleTimeoutMs?: number;
  events?: FarewellEvents;
}

/** Creates the server; it is not listening until `listen` is called. */
export function createFarewellServer(options: FarewellServerOptions = {}): net.Server {
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
  const events = options.events ?? {};
  return net.createServer((socket) => {
    void serveConnection(socket, idleTimeoutMs, events);
  });
}

async function serveConnection(socket: net.Socket, idleTimeoutMs: number, events: FarewellEvents) {
  const conn: ConnectionInfo = {
    socketName: pyAddress(socket.localAddress, socket.localPort),
    peerName: pyAddress(socket.remoteAddress, socket.remotePort),
  };
  const target = formatHostPort(socket.remoteAddress ?? '?', socket.remotePort ?? 0);
  events.accepted?.(conn);
  socket.setTimeout(idleTimeoutMs, () => {
    socket.destroy(new TimeoutError(`waiting for client ${target}`, idleTimeoutMs));
  });
  const reader = new StreamReader(socket);
  try {
    const message = await reader.readExactly(MESSAGE_BYTES, 'message');
    events.message?.(conn, message);
    await writeAll(socket, FAREWELL);
    socket.end();
    events.replied?.(conn);
    // Read to EOF before the socket closes: closing with unread bytes in the kernel makes
    // Linux send RST instead of FIN, and a client that has not read our reply yet may get
    // ECONNRESET instead of it (the "lingering close" web servers do for the same reason).
    let extra = 0;
    for (let chunk = await reader.readSome(); chunk; chunk = await reader.readSome()) extra += chunk.length;
    if (extra > 0) events.extraBytes?.(conn, extra);
  } catch (err) {
    // Closing before sending anything is what port probes (load balancers, k8s tcpSocket) do.
    const probe = err instanceof IncompleteReadError && err.received === 0;
    if (!probe) events.failed?.(conn, classifyError(err, target));
    socket.destroy();
  } finally {
    events.closed?.(conn, { bytesRead: socket.bytesRead, bytesWritten: socket.bytesWritten });
  }
}

/** Stops accepting and resolves once every open connection has finished. */
export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
