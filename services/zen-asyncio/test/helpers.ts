import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { createZenServer, type ZenServer, type ZenServerOptions } from '../src/index.js';

/** The book's chapter 7 programs, beside the repository (see ../shared/peers/README.md); never copied here. */
export const CHAPTER07 = fileURLToPath(
  new URL('../../../../shared/peers/fopnp-py3/chapter07/', import.meta.url),
);

/** A listening server on a free loopback port; remember to close it. */
export async function listening(options: ZenServerOptions = {}): Promise<{ zen: ZenServer; port: number }> {
  const zen = createZenServer(options);
  const { port } = await zen.listen(0, '127.0.0.1');
  return { zen, port };
}

/** A raw socket, for writing exactly the bytes a test wants. */
export function rawConnect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Collects everything a socket receives until the server closes it. */
export function readToEnd(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(text));
  });
}

/** Resolves with the received text once it contains `count` answers (`.`-terminated). */
export function readAnswers(socket: net.Socket, count: number, timeoutMs = 5_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`only got ${JSON.stringify(text)} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      text += d.toString('latin1');
      const answers = text.split('.').slice(0, -1);
      if (answers.length >= count) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(answers.slice(0, count).map((a) => `${a}.`));
      }
    };
    socket.on('data', onData);
  });
}

export async function waitFor(
  predicate: () => boolean,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
