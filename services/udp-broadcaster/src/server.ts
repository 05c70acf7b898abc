/**
 * The server of udp_broadcast.py and udp_remote.py in one: it prints (or counts) every
 * datagram and answers it with its length, except the requests it drops on purpose.
 * Node's dgram does not expose a datagram's destination address (IP_PKTINFO), so a
 * broadcast and a unicast request look alike here; both are received, counted and answered.
 */
import dgram from 'node:dgram';
import { classifyError, formatHostPort, type NetError, pyAddress } from '@fopnp/net';
import { DropSchedule } from './drop.js';
import { replyFor } from './protocol.js';

/** Where a datagram came from, with the book's `('10.0.0.1', 5000)` form precomputed. */
export interface Source {
  address: string;
  port: number;
  name: string;
}

export interface DatagramEvents {
  /** Every datagram, including those then dropped on purpose (`dropped` true, no reply). */
  received?(source: Source, data: Buffer, dropped: boolean): void;
  replied?(source: Source, reply: Buffer): void;
  /** A socket error (a reply that could not be sent); the server keeps running. */
  failed?(err: NetError): void;
}

export interface DatagramServerOptions {
  /** 4 for IPv4 (broadcast exists only there), 6 for IPv6. @default 4 */
  family?: 4 | 6;
  /** Fraction of datagrams left unanswered on purpose. @default 0 */
  dropRate?: number;
  events?: DatagramEvents;
}

/** Creates the server's socket, not yet bound: call `bindSocket`. */
export function createDatagramServer(options: DatagramServerOptions = {}): dgram.Socket {
  const events = options.events ?? {};
  const drops = new DropSchedule(options.dropRate ?? 0);
  const socket = dgram.createSocket(options.family === 6 ? 'udp6' : 'udp4');
  socket.on('message', (data, rinfo) => {
    const source = { address: rinfo.address, port: rinfo.port, name: pyAddress(rinfo.address, rinfo.port) };
    const dropped = drops.next();
    events.received?.(source, data, dropped);
    if (dropped) return;
    const reply = replyFor(data.length);
    socket.send(reply, rinfo.port, rinfo.address, (err) => {
      if (err) events.failed?.(classifyError(err, formatHostPort(rinfo.address, rinfo.port)));
      else events.replied?.(source, reply);
    });
  });
  // Once bound, errors are per datagram (ICMP, send failures): report them and carry on.
  // Before that, a bind error belongs to bindSocket's caller.
  let bound = false;
  socket.once('listening', () => {
    bound = true;
  });
  socket.on('error', (err) => {
    if (bound) events.failed?.(classifyError(err));
  });
  return socket;
}

/** Binds exclusively (a second server on the port is an error, not a silent share). */
export function bindSocket(
  socket: dgram.Socket,
  port: number,
  host: string,
): Promise<{ address: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(classifyError(err, formatHostPort(host, port)));
    socket.once('error', onError);
    socket.bind({ port, address: host, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket.address());
    });
  });
}

export function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}
