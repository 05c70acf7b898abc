/**
 * Chapter 5's blocks.py and streamer.py over libs/net's framing: the server takes one
 * client, shuts its own sending side, and reads until the client's end (an empty block for
 * blocks.py, end of stream for streamer.py); the client sends three lines and closes.
 */
import net from 'node:net';
import { connect, listen, pyAddress, pyRepr, StreamReader, say, writeAll, writeBlocks } from '@fopnp/net';

const LINES = [
  'Beautiful is better than ugly.',
  'Explicit is better than implicit.',
  'Simple is better than complex.',
];

/** Listens on host:port, prints the book's two lines, and hands the one client over. */
async function acceptOne(host: string, port: number): Promise<net.Socket> {
  const server = net.createServer({ allowHalfOpen: true });
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const bound = await listen(server, port, host, { what: 'the server', backlog: 1 });
  say('Run this script in another window with "-c" to connect');
  say(`Listening at ${pyAddress(host, bound)}`);
  const sc = await accepted;
  server.close();
  say(`Accepted connection from ${pyAddress(sc.remoteAddress, sc.remotePort)}`);
  sc.end(); // shutdown(SHUT_WR): this side sends nothing
  return sc;
}

export async function blocksServer(host: string, port: number): Promise<void> {
  const sc = await acceptOne(host, port);
  const reader = new StreamReader(sc);
  for await (const block of reader.blocks()) say(`Block says: ${pyRepr(block)}`);
  sc.destroy();
}

export async function blocksClient(host: string, port: number): Promise<void> {
  const sock = await connect(host, port);
  await writeBlocks(
    sock,
    LINES.map((l) => Buffer.from(l)),
  );
  await new Promise<void>((resolve) => sock.end(resolve));
}

export async function streamerServer(host: string, port: number): Promise<void> {
  const sc = await acceptOne(host, port);
  const reader = new StreamReader(sc);
  const parts: Buffer[] = [];
  for (;;) {
    const more = await reader.readSome();
    if (more === null) {
      say('Received zero bytes - end of file');
      break;
    }
    say(`Received ${more.length} bytes`);
    parts.push(more);
  }
  say('Message:\n');
  say(Buffer.concat(parts).toString('ascii'));
  sc.destroy();
}

export async function streamerClient(host: string, port: number): Promise<void> {
  const sock = await connect(host, port);
  for (const line of LINES) await writeAll(sock, `${line}\n`);
  await new Promise<void>((resolve) => sock.end(resolve));
}
