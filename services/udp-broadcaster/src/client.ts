/**
 * The clients of book ch. 2: udp_broadcast.py's (one datagram to a broadcast address,
 * with SO_BROADCAST) and udp_remote.py's (request/reply over a connected socket,
 * retransmitting with a doubling wait until it gives up).
 */
import { InvalidConfigError, pyAddress } from '@fopnp/net';
import { NoReplyError } from './errors.js';
import { BROADCAST_TEXT, REQUEST_TEXT } from './protocol.js';
import {
  closeQuietly,
  connectSocket,
  nextDatagram,
  openSocket,
  resolveTarget,
  sendDatagram,
} from './socket.js';

export interface Reply {
  from: string;
  data: Buffer;
}

export interface BroadcastOptions {
  /** @default 'Broadcast datagram!' */
  text?: string;
  /** How long to collect replies after sending (the book's client does not wait). @default 0 */
  listenMs?: number;
  onReply?(reply: Reply): void;
}

/**
 * Sends one datagram to `network` (a broadcast address such as 10.0.0.255, or Python's
 * `<broadcast>` for 255.255.255.255) and returns the replies heard within `listenMs`.
 */
export async function sendBroadcast(network: string, port: number, options: BroadcastOptions = {}) {
  const host = network === '<broadcast>' ? '255.255.255.255' : network;
  const target = await resolveTarget(host, port, 4);
  if (target.family !== 4) {
    throw new InvalidConfigError(
      'NETWORK',
      `${network} is IPv6, which has no broadcast: give an IPv4 broadcast address such as 192.168.1.255`,
    );
  }
  const socket = openSocket(4);
  const replies: Reply[] = [];
  try {
    await new Promise<void>((resolve) => socket.bind(0, resolve));
    socket.setBroadcast(true); // without it the kernel refuses a broadcast destination (EACCES)
    socket.on('message', (data, rinfo) => {
      const reply = { from: pyAddress(rinfo.address, rinfo.port), data };
      replies.push(reply);
      options.onReply?.(reply);
    });
    const text = Buffer.from(options.text ?? BROADCAST_TEXT, 'ascii');
    await sendDatagram(socket, text, { port, address: target.address }, target.label);
    if (options.listenMs) await new Promise((r) => setTimeout(r, options.listenMs));
    return { socketName: pyAddress(socket.address().address, socket.address().port), replies };
  } finally {
    closeQuietly(socket);
  }
}

export interface RequestOptions {
  /** @default 'This is another message' */
  text?: string;
  /** First wait for a reply. @default 100 (the book's 0.1 s) */
  initialWaitMs?: number;
  /** The doubling wait never exceeds this. @default 2000 */
  maxWaitMs?: number;
  /** Sends before giving up. @default 5 (waits 0.1, 0.2, 0.4, 0.8, 1.6 s, as in the book) */
  attempts?: number;
  onConnected?(socketName: string): void;
  onWait?(waitMs: number, attempt: number): void;
}

/**
 * Sends a request and waits for the reply, resending with a doubling wait; throws
 * NoReplyError after the last attempt, ConnectionRefusedError if an ICMP error says
 * nothing listens there.
 */
export async function requestWithBackoff(
  host: string,
  port: number,
  options: RequestOptions = {},
): Promise<Buffer> {
  const target = await resolveTarget(host, port);
  const socket = openSocket(target.family);
  const attempts = options.attempts ?? 5;
  const maxWaitMs = options.maxWaitMs ?? 2000;
  let waitMs = Math.min(options.initialWaitMs ?? 100, maxWaitMs);
  const waits: number[] = [];
  try {
    // Connecting filters out datagrams from anyone else and lets ICMP errors reach us.
    await connectSocket(socket, target, port);
    options.onConnected?.(pyAddress(socket.address().address, socket.address().port));
    const request = Buffer.from(options.text ?? REQUEST_TEXT, 'ascii');
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await sendDatagram(socket, request, undefined, target.label);
      options.onWait?.(waitMs, attempt);
      waits.push(waitMs);
      const reply = await nextDatagram(socket, waitMs, target.label);
      if (reply) return reply;
      waitMs = Math.min(waitMs * 2, maxWaitMs);
    }
    throw new NoReplyError(target.label, waits);
  } finally {
    closeQuietly(socket);
  }
}
