/**
 * The wire format of tcp_sixteen.py (book ch. 3): no framing at all, because both sides
 * know every message is exactly sixteen octets. The client sends GREETING, the server
 * answers FAREWELL and closes.
 */

/** Length of each side's only message. */
export const MESSAGE_BYTES = 16;

/** The port the long-running service listens on (its manifest's default; rpc-gateway addresses it there). */
export const FAREWELL_PORT = 1060;

export const GREETING: Buffer = Buffer.from('Hi there, server', 'ascii');
export const FAREWELL: Buffer = Buffer.from('Farewell, client', 'ascii');
