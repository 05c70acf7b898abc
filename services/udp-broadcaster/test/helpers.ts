import { type BackgroundProcess, bookProgram, cliTestKit } from '@fopnp/net/testing';

export type { BackgroundProcess };

export const { CLI, startCli, runCli, startPython, runPython } = cliTestKit(import.meta.url);

/** The book's chapter 2 programs, unchanged, from ../shared/peers/fopnp-py3 (never copied here). */
export const UDP_REMOTE = bookProgram('chapter02/udp_remote.py');
export const UDP_BROADCAST = bookProgram('chapter02/udp_broadcast.py');

/** Sends one datagram from `source` and returns what the Python peer printed. */
export async function sendFrom(source: string, port: number, payload: Buffer): Promise<string> {
  const result = await runPython('send_datagram.py', [
    source,
    '127.0.0.1',
    String(port),
    payload.toString('hex'),
  ]);
  return result.stdout;
}
