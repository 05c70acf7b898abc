/**
 * The datagrams of book ch. 2. There is no framing to do: UDP delivers each datagram
 * whole or not at all. A server answers any datagram with its length (udp_remote.py).
 */

/** Largest datagram the book's programs try to receive (`recvfrom(65535)`). */
export const MAX_DATAGRAM_BYTES = 65535;

/** Largest UDP payload IPv4 can carry: 65535 minus the 20-byte IP and 8-byte UDP headers. */
export const MAX_IPV4_UDP_PAYLOAD = 65507;

/** Largest UDP payload IPv6 can carry without jumbograms: 65535 minus the 8-byte UDP header. */
export const MAX_IPV6_UDP_PAYLOAD = 65527;

/** What udp_broadcast.py's client sends. */
export const BROADCAST_TEXT = 'Broadcast datagram!';

/** What udp_remote.py's client sends. */
export const REQUEST_TEXT = 'This is another message';

/** The server's answer to a datagram of `size` bytes. */
export function replyFor(size: number): Buffer {
  return Buffer.from(`Your data was ${size} bytes long`, 'ascii');
}

/** True when every byte is 7-bit ASCII (the book calls `decode('ascii')`, which fails otherwise). */
export function isAscii(data: Buffer): boolean {
  return data.every((byte) => byte < 0x80);
}
