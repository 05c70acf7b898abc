/**
 * The two TCP adapters: zen-asyncio's question/answer protocol (book ch. 7) and
 * tcp-farewell's sixteen octets (book ch. 3). One connection per call: both servers are
 * built for many short connections, and it keeps a broken reply from poisoning the next.
 */
import type net from 'node:net';
import { connect, formatHostPort, StreamReader } from '@fopnp/net';
import { FAREWELL, GREETING } from '@fopnp/tcp-farewell/protocol';
import { ServiceError } from '../errors.js';
import type { Downstream } from './downstream.js';

export interface TcpAddress {
  host: string;
  port: number;
}

/** Parses "host:port" (or "[v6]:port"); the default port applies when none is given. */
export function parseHostPort(text: string, defaultPort: number): TcpAddress {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  if (!m) throw new Error(`"${text}" is not host:port`);
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`"${text}" has no valid port`);
  return { host: m[1]!, port };
}

/** Opens a connection that is destroyed when `signal` fires (the per-call deadline). */
async function open(addr: TcpAddress, timeoutMs: number, signal: AbortSignal): Promise<net.Socket> {
  const socket = await connect(addr.host, addr.port, { timeoutMs, signal });
  if (signal.aborted) socket.destroy();
  else signal.addEventListener('abort', () => socket.destroy(), { once: true });
  return socket;
}

export const ZEN_MAX_ANSWER_BYTES = 4096;

/**
 * Asks one question. It must end with '?' and hold no other '?', because '?' is the
 * protocol's only boundary; the answer is read up to its '.'.
 */
export async function askZen(down: Downstream, addr: TcpAddress, question: string): Promise<string> {
  return down.call('zen.ask', async (signal) => {
    const socket = await open(addr, down.timeoutMs, signal);
    try {
      const reader = new StreamReader(socket);
      socket.write(Buffer.from(question, 'latin1'));
      const answer = await reader.readUntil('.', { maxBytes: ZEN_MAX_ANSWER_BYTES });
      if (answer === null) {
        throw new ServiceError(
          'BAD_REPLY',
          down.service,
          formatHostPort(addr.host, addr.port),
          'closed the connection without answering',
        );
      }
      return answer.toString('latin1');
    } finally {
      socket.destroy();
    }
  });
}

/** tcp_sixteen.py's exchange: send the 16-octet greeting, expect the 16-octet farewell. */
export async function sayFarewell(down: Downstream, addr: TcpAddress): Promise<string> {
  return down.call('farewell', async (signal) => {
    const socket = await open(addr, down.timeoutMs, signal);
    try {
      const reader = new StreamReader(socket);
      socket.write(GREETING);
      const reply = await reader.readExactly(FAREWELL.length, 'farewell');
      if (!reply.equals(FAREWELL)) {
        throw new ServiceError(
          'BAD_REPLY',
          down.service,
          formatHostPort(addr.host, addr.port),
          `answered ${JSON.stringify(reply.toString('latin1'))}, expected ${JSON.stringify(FAREWELL.toString('ascii'))}`,
        );
      }
      return reply.toString('ascii');
    } finally {
      socket.destroy();
    }
  });
}
