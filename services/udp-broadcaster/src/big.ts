/**
 * big_sender.py: one datagram larger than the path can carry in one packet. The book sets
 * IP_MTU_DISCOVER to forbid fragmentation and reads IP_MTU (the path MTU) after the
 * failure; Node's dgram can do neither, so the kernel fragments anything up to the IPv4
 * limit of 65,507 bytes and only refuses beyond it (EMSGSIZE). We find the path MTU as
 * IP_MTU would give it (the route's, else the interface's capped as the kernel caps it) and
 * say how many fragments the datagram became, so the cost is visible anyway.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import { classifyError, MessageTooLongError } from '@fopnp/net';
import { closeQuietly, connectSocket, openSocket, resolveTarget, sendDatagram } from './socket.js';

/**
 * The kernel's cap on an IPv4 route's MTU (IP_MAX_MTU in Linux's include/net/ip.h, applied
 * by ipv4_mtu()): loopback's interface MTU is 65536, its path MTU 65535, which is what the
 * book's IP_MTU prints.
 */
export const IP_MAX_MTU = 65_535;

/** The path MTU toward a destination, and where it came from. */
export interface PathMtu {
  mtu: number;
  /** `route`: set on the route or learned (a PMTU exception); `interface`: the outgoing interface's. */
  from: 'route' | 'interface';
}

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
  /** The path MTU, as the book's IP_MTU reads it, when it can be found. */
  path?: PathMtu;
  /** IPv4 fragments the datagram needs on that path (1 = it fits in one packet). */
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

/**
 * The path MTU toward `address`: `ip route get` lists `mtu N` when the route sets one or the
 * kernel has learned one (ICMP fragmentation needed); otherwise the interface's, capped at
 * IP_MAX_MTU for IPv4 as the kernel does. Undefined when neither can be read.
 */
export async function pathMtuOf(
  address: string,
  family: 4 | 6,
  link: LinkInfo | undefined,
): Promise<PathMtu | undefined> {
  const route = await promisify(execFile)('ip', ['-o', family === 6 ? '-6' : '-4', 'route', 'get', address], {
    timeout: 2_000,
  }).catch(() => undefined);
  const listed = route && /\bmtu (\d+)/.exec(route.stdout);
  if (listed) return { mtu: Number(listed[1]), from: 'route' };
  if (!link) return undefined;
  return { mtu: family === 4 ? Math.min(link.mtu, IP_MAX_MTU) : link.mtu, from: 'interface' };
}

/**
 * IPv4 packets for a UDP payload on a path: one when the whole packet (20-byte IP header,
 * 8-byte UDP header, payload) fits the MTU; else fragments, each carrying a multiple of 8
 * bytes after its own 20-byte header.
 */
export function ipv4Fragments(payloadBytes: number, mtu: number): number {
  if (payloadBytes + 28 <= mtu) return 1;
  const perFragment = Math.floor((mtu - 20) / 8) * 8;
  return Math.ceil((payloadBytes + 8) / perFragment);
}

export async function sendBigDatagram(host: string, port: number, size = 65_000): Promise<BigSendResult> {
  const target = await resolveTarget(host, port);
  const socket = openSocket(target.family);
  try {
    await connectSocket(socket, target, port);
    const link = linkOf(socket.address().address);
    const path = await pathMtuOf(target.address, target.family, link);
    const result: BigSendResult = {
      size,
      family: target.family,
      ...(link && { link }),
      ...(path && { path }),
    };
    if (path && target.family === 4) result.fragments = ipv4Fragments(size, path.mtu);
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
