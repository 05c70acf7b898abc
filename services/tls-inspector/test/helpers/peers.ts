/**
 * Real peers for the tests: `openssl s_server` on a free loopback port (ready once it
 * prints ACCEPT), and the compiled CLI. Every process is stopped by stopAll() in afterAll.
 */
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BackgroundProcess, cliTestKit, freePort, startProcess } from '@fopnp/net/testing';

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built CLI (from the package's test/ folder, as cliTestKit expects). */
export const { CLI, startCli } = cliTestKit(new URL('../', import.meta.url).href);
export const PEERS_DIR = path.join(PACKAGE_DIR, 'test/peers');

export interface OpenSslServer {
  port: number;
  process: BackgroundProcess;
  stop(): Promise<void>;
}

/** `openssl s_server -www` on 127.0.0.1 with the given extra arguments. */
export async function startOpenSslServer(args: string[]): Promise<OpenSslServer> {
  const port = await freePort();
  const proc = startProcess('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-www', ...args]);
  await proc.waitForOutput(/^ACCEPT$/m, 10_000);
  return {
    port,
    process: proc,
    stop: async () => {
      await proc.stop('SIGKILL');
    },
  };
}

/** A TCP server that accepts connections and never says a word: a blackhole for timeouts. */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
