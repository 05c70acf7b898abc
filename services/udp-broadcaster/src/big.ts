/**
 * big_sender.py: one datagram larger than the link can carry in one packet. The book sets
 * IP_MTU_DISCOVER to forbid fragmentation and reads IP_MTU after the failure; Node's
 * dgram can set neither, so the kernel fragments anything up to the IPv4 limit of 65,507
 * bytes and only refuses beyond it (EMSGSIZE). We report the outgoing interface's MTU
 * and how many fragments the datagram became, so the cost is visible anyway.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { classifyError, MessageTooLongError } from '@fopnp/net';
import { closeQuietly, connectSocket, openSocket, resolveTarget, sendDatagram } from './socket.js';

export interface LinkInfo {
  interface: string;
  mtu: number;
}

export interface BigSendResult {
  size: number;
  /** IP version of the destination. */
  family: 4 | 6;
  /** The outgoing interface and its MTU, when the platform tells us (Linux sysfs). */
  link?: LinkInfo;
  /** IPv4 fragments the datagram needs on that link (1 = it fits in one packet). */
  fragments?: number;
  /** Set when the kernel refused the datagram; nothing was sent. */
  error?: MessageTooLongError;
}

/** The interface that owns `localAddress`, with its MTU from /sys/class/net. */
export function linkOf(localAddress: string): LinkInfo | undefined {
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
    if (!addresses?.some((a) => a.address === localAddress)) continue;
    try {
      return { interface: name, mtu: Number(readFileSync(`/sys/class/net/${name}/mtu`, 'utf8').trim()) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** IPv4 fragments for a UDP payload: each carries a multiple of 8 bytes after a 20-byte header. */
export function ipv4Fragments(payloadBytes: number, mtu: number): number {
  const perFragment = Math.floor((mtu - 20) / 8) * 8;
  return Math.ceil((payloadBytes + 8) / perFragment);
}

export async function sendBigDatagram(host: string, port: number, size = 65_000): Promise<BigSendResult> {
  const target = await resolveTarget(host, port);
  const socket = openSocket(target.family);
  try {
    await connectSocket(socket, target, port);
    const link = linkOf(socket.address().address);
    const result: BigSendResult = { size, family: target.family, ...(link && { link }) };
    if (link && target.family === 4) result.fragments = ipv4Fragments(size, link.mtu);
    try {
      await sendDatagram(socket, Buffer.alloc(size, '#'), undefined, target.label);
    } catch (err) {
      const classified = classifyError(err);
      if (!(classified instanceof MessageTooLongError)) throw classified;
      result.error = new MessageTooLongError(size, { cause: err });
    }
    return result;
  } finally {
    closeQuietly(socket);
  }
}
