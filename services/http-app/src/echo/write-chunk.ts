import type { ServerResponse } from 'node:http';

/**
 * Writes one piece of a chunked body and resolves once it has been handed to the socket.
 * Node 24 merges the writes of one tick into a single chunk; waiting for each write's
 * callback keeps one write, one chunk (what /framing/chunked and /stream-bytes exist to
 * show), and doubles as backpressure. Rejects if the client has gone.
 */
export function writeChunk(res: ServerResponse, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    res.write(data, (err) => (err ? reject(err) : resolve()));
  });
}
