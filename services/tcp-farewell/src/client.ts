/** The client side of tcp_sixteen.py: send sixteen octets, read sixteen back. */
import { connect, formatHostPort, pyAddress, StreamReader, withTimeout, writeAll } from '@fopnp/net';
import { GREETING, MESSAGE_BYTES } from './protocol.js';

export interface FarewellClientOptions {
  /** Deadline for connecting, and again for the reply. @default 10000 */
  timeoutMs?: number;
  /** Called once connected, before sending (the book prints the socket name here). */
  onConnected?(socketName: string): void;
}

/** Greets the server at host:port and returns its sixteen-octet reply. */
export async function requestFarewell(
  host: string,
  port: number,
  options: FarewellClientOptions = {},
): Promise<Buffer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const socket = await connect(host, port, { timeoutMs });
  try {
    const reader = new StreamReader(socket);
    options.onConnected?.(pyAddress(socket.localAddress, socket.localPort));
    await writeAll(socket, GREETING);
    return await withTimeout(
      reader.readExactly(MESSAGE_BYTES, 'reply'),
      timeoutMs,
      `waiting for the reply from ${formatHostPort(host, port)}`,
    );
  } finally {
    socket.destroy();
  }
}
