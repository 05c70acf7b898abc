/** Shared by the tests: start our server (in-process or as the built CLI) and Python's. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listen as listenOn } from '@fopnp/net';
import { type BackgroundProcess, cliTestKit, freePort, waitForPort } from '@fopnp/net/testing';
import { bookXmlrpcServer } from '../bench/book-xmlrpc-server.js';
import { createRpcServer, type RpcServer, type RpcServerOptions } from '../src/server.js';

/** What the book's xmlrpc_client.py prints (chapter 18), its final fault included. */
export const BOOK_CLIENT_LINES = [
  'xÿz',
  '55',
  '[0.0, 8.0]',
  '[-1.0]',
  "[1, 2.0, 'three']",
  "[1, 2.0, 'three']",
  "{'name': 'Arthur', 'data': {'age': 42, 'sex': 'M'}}",
  `<Fault 1: "<class 'ValueError'>:math domain error">`,
];

const kit = cliTestKit(import.meta.url);
export const { CLI } = kit;
export const here = path.dirname(fileURLToPath(import.meta.url));
export const PEERS = path.join(here, 'peers');
/** The built CLI of a sibling service (turbo builds them first: they are devDependencies). */
export const serviceCli = (name: string) =>
  cliTestKit(new URL(`../../${name}/test/`, import.meta.url).href).CLI;

export interface Listening extends RpcServer {
  port: number;
  url: string;
  jsonUrl: string;
  close(): Promise<void>;
}

/** Our server in this process on a free port. */
export async function listen(options: RpcServerOptions = {}): Promise<Listening> {
  const rpc = createRpcServer(options);
  const port = await listenOn(rpc.server, 0, '127.0.0.1');
  return {
    ...rpc,
    port,
    url: `http://127.0.0.1:${port}/RPC2`,
    jsonUrl: `http://127.0.0.1:${port}/jsonrpc`,
    close: () =>
      new Promise<void>((resolve) => {
        rpc.server.close(() => resolve());
        rpc.server.closeAllConnections();
      }),
  };
}

/** Python's SimpleXMLRPCServer running the book's xmlrpc_server.py (patched for its port: see bench/book-xmlrpc-server.ts). */
export async function startPythonServer(
  args: string[] = [],
): Promise<{ proc: BackgroundProcess; url: string }> {
  const port = await freePort();
  const proc = kit.startPython(bookXmlrpcServer(), [String(port), ...args]);
  await proc.waitForOutput(/Server ready/);
  await waitForPort(port);
  return { proc, url: `http://127.0.0.1:${port}/RPC2` };
}

/** Our built CLI's `server` command (the book's server, as a separate process). */
export async function startOurServer(
  env: NodeJS.ProcessEnv = {},
): Promise<{ proc: BackgroundProcess; url: string }> {
  const port = await freePort();
  const proc = kit.startCli(['server', '127.0.0.1', '-p', String(port)], env);
  await proc.waitForOutput(/Server ready/);
  return { proc, url: `http://127.0.0.1:${port}/RPC2` };
}
