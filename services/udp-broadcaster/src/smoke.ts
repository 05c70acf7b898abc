/**
 * udp-broadcaster's smoke check. On one machine: a broadcast to 127.255.255.255 (loopback's
 * broadcast address reaches wildcard-bound sockets) moves the datagram counter. In a
 * container, broadcasts do not cross the published port: a request gets its reply.
 */
import dgram from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineSmoke, type SmokeTarget, scrapeMetrics } from '@fopnp/net';
import { replyFor } from './protocol.js';

const DATAGRAMS = 'udp_broadcaster_datagrams_received_total';

async function broadcast(t: SmokeTarget): Promise<string> {
  const port = t.port('datagrams');
  const health = `http://${t.host}:${t.healthPort}`;
  const before = (await scrapeMetrics(health)).sum(DATAGRAMS);
  const sock = dgram.createSocket('udp4');
  try {
    await new Promise<void>((r) => sock.bind(0, r));
    sock.setBroadcast(true);
    await new Promise<void>((resolve, reject) =>
      sock.send(Buffer.from('smoke: broadcast'), port, '127.255.255.255', (e) => (e ? reject(e) : resolve())),
    );
  } finally {
    sock.close();
  }
  for (let i = 0; i < 20; i++) {
    const after = (await scrapeMetrics(health)).sum(DATAGRAMS);
    if (after > before)
      return `broadcast to 127.255.255.255:${port} received (datagrams ${before} → ${after})`;
    await sleep(100);
  }
  throw new Error(`the server's ${DATAGRAMS} did not move after a broadcast to port ${port}`);
}

async function request(t: SmokeTarget): Promise<string> {
  const port = t.port('datagrams');
  const payload = Buffer.from('smoke: how long is this?');
  const want = replyFor(payload.length).toString();
  const sock = dgram.createSocket('udp4');
  try {
    const reply = new Promise<string>((resolve) => sock.on('message', (m) => resolve(m.toString())));
    // UDP may lose a datagram: send up to three times, as the book's client retransmits.
    for (let attempt = 1; attempt <= 3; attempt++) {
      sock.send(payload, port, t.host);
      const got = await Promise.race([reply, sleep(1000).then(() => undefined)]);
      if (got !== undefined) {
        if (got !== want) throw new Error(`expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
        return `request to ${t.host}:${port}/udp answered ${JSON.stringify(got)} (attempt ${attempt})`;
      }
    }
    throw new Error(`no reply from ${t.host}:${port}/udp after three requests`);
  } finally {
    sock.close();
  }
}

export const smoke = defineSmoke([
  { name: 'udp datagrams', run: (t) => (t.where === 'local' && t.healthPort ? broadcast(t) : request(t)) },
]);
