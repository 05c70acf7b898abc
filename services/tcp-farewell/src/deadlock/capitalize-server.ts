/**
 * The server of tcp_deadlock.py: echoes every byte back upper-cased. It waits for each
 * reply to be accepted before reading more (the book's blocking `sendall`), so a client
 * that never reads eventually stops it reading, which is the first half of the deadlock.
 */
import net from 'node:net';
import { classifyError, formatHostPort, type NetError, pyAddress, StreamReader, writeAll } from '@fopnp/net';
import { capitalize } from './capitalize.js';

export interface CapitalizeEvents {
  accepted?(peerName: string): void;
  progress?(peerName: string, bytesProcessed: number): void;
  finished?(peerName: string, bytesProcessed: number): void;
  failed?(peerName: string, bytesProcessed: number, err: NetError): void;
}

/** Back-pressure point: the reader stops pulling from the kernel past this many bytes. */
const READ_BUFFER_BYTES = 64 * 1024;

/** Creates the capitalizing echo server, not yet listening. */
export function createCapitalizeServer(events: CapitalizeEvents = {}): net.Server {
  return net.createServer((socket) => {
    void echoCapitalized(socket, events);
  });
}

async function echoCapitalized(socket: net.Socket, events: CapitalizeEvents): Promise<void> {
  const peerName = pyAddress(socket.remoteAddress, socket.remotePort);
  const target = formatHostPort(socket.remoteAddress ?? '?', socket.remotePort ?? 0);
  events.accepted?.(peerName);
  const reader = new StreamReader(socket, { highWaterMark: READ_BUFFER_BYTES });
  let processed = 0;
  try {
    for (let data = await reader.readSome(); data; data = await reader.readSome()) {
      await writeAll(socket, capitalize(data));
      processed += data.length;
      events.progress?.(peerName, processed);
    }
    socket.end();
    events.finished?.(peerName, processed);
  } catch (err) {
    events.failed?.(peerName, processed, classifyError(err, target));
    socket.destroy();
  }
}
