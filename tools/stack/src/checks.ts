/**
 * What the smoke tour does with each service, in the user's words. Each check uses the
 * service's own protocol on its declared port.
 */
import net from 'node:net';
import { StreamReader } from '@fopnp/net';
import { type Check, portOf } from './smoke.js';

async function tcpExchange(
  port: number,
  send: string,
  read: (r: StreamReader) => Promise<Buffer | null>,
): Promise<string> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  try {
    const reader = new StreamReader(sock);
    sock.write(send);
    const reply = await read(reader);
    return reply?.toString() ?? '';
  } finally {
    sock.destroy();
  }
}

const farewell: Check = async (svc) => {
  const reply = await tcpExchange(portOf(svc, 'farewell'), 'Hi there, server', (r) => r.readExactly(16));
  if (reply !== 'Farewell, client')
    throw new Error(`expected "Farewell, client", got ${JSON.stringify(reply)}`);
  return 'sent "Hi there, server", got "Farewell, client"';
};

const zen: Check = async (svc) => {
  const reply = await tcpExchange(portOf(svc, 'zen'), 'Beautiful is better than?', (r) => r.readUntil('.'));
  if (reply !== 'Ugly.') throw new Error(`expected "Ugly.", got ${JSON.stringify(reply)}`);
  return 'asked "Beautiful is better than?", got "Ugly."';
};

export const CHECKS: Record<string, { name: string; run: Check }[]> = {
  'tcp-farewell': [{ name: 'farewell', run: farewell }],
  'zen-asyncio': [{ name: 'zen question', run: zen }],
};
