/**
 * What the smoke tour does with each service, in the user's words. Each check uses the
 * service's own protocol on its declared port.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { StreamReader } from '@fopnp/net';
import { sleep } from '@fopnp/net/testing';
import { healthPortOf } from './discover.js';
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

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

async function metric(healthPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').pop());
  }
  return sum;
}

const udpBroadcast: Check = async (svc) => {
  const port = portOf(svc, 'datagrams');
  const metricName = 'udp_broadcaster_datagrams_received_total';
  const before = await metric(healthPortOf(svc), metricName);
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, r));
  sock.setBroadcast(true);
  // 127.255.255.255 stays on loopback; it reaches sockets bound to the wildcard address.
  await new Promise<void>((resolve, reject) =>
    sock.send(Buffer.from('smoke: broadcast'), port, '127.255.255.255', (e) => (e ? reject(e) : resolve())),
  );
  sock.close();
  for (let i = 0; i < 20; i++) {
    const after = await metric(healthPortOf(svc), metricName);
    if (after > before)
      return `broadcast to 127.255.255.255:${port} received (datagrams ${before} → ${after})`;
    await sleep(100);
  }
  throw new Error(`the server's ${metricName} did not move after a broadcast to port ${port}`);
};

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

const tlsInspect: Check = async (svc) => {
  const api = portOf(svc, 'http');
  const demo = portOf(svc, 'demo-tls');
  const { status, body } = await getJson(
    `http://127.0.0.1:${api}/inspect?host=127.0.0.1&port=${demo}&servername=localhost`,
  );
  const report = body as { protocol?: string; cipher?: { name?: string } };
  if (status !== 200 || !report.protocol)
    throw new Error(`inspect answered ${status}: ${JSON.stringify(body).slice(0, 200)}`);
  return `inspected its demo TLS server on ${demo}: ${report.protocol}, ${report.cipher?.name ?? '?'}`;
};

const cacheMissThenHit: Check = async (svc) => {
  const url = `http://127.0.0.1:${portOf(svc, 'http')}/demo/slow/smoke-${Date.now()}`;
  const first = (await getJson(url)).body as { source?: string; ms?: number };
  const second = (await getJson(url)).body as { source?: string; ms?: number };
  if (first.source !== 'loader' || second.source !== 'cache') {
    throw new Error(`expected a miss (loader) then a hit (cache), got ${first.source} then ${second.source}`);
  }
  return `miss ${first.ms} ms (slow loader), then hit ${second.ms} ms`;
};

const piEstimate: Check = async (svc) => {
  const url = `http://127.0.0.1:${portOf(svc, 'tally')}/estimate`;
  for (let i = 0; i < 40; i++) {
    const s = (await getJson(url)).body as { estimate: number | null; count: number };
    if (s.estimate !== null && s.count >= 200) {
      if (Math.abs(s.estimate - Math.PI) > 0.5)
        throw new Error(`estimate ${s.estimate} after ${s.count} points is far from pi`);
      return `pi ≈ ${s.estimate.toFixed(4)} after ${s.count} points`;
    }
    await sleep(500);
  }
  throw new Error('the tally counted fewer than 200 points in 20 s');
};

const bankLogin: Check = async (svc) => {
  const res = await fetch(`http://127.0.0.1:${portOf(svc, 'http')}/bank/login`, {
    signal: AbortSignal.timeout(10_000),
  });
  const html = await res.text();
  if (res.status !== 200 || !/<form[^>]*>/i.test(html) || !/password/i.test(html)) {
    throw new Error(`GET /bank/login answered ${res.status} without a login form`);
  }
  const csp = res.headers.get('content-security-policy');
  return `login page served (${html.length} bytes${csp ? ', with a Content-Security-Policy' : ''})`;
};

function xmlString(s: string): string {
  return `<value><string>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</string></value>`;
}

const rpcMulticall: Check = async (svc) => {
  const call = (method: string, params: string[]) =>
    `<value><struct><member><name>methodName</name>${xmlString(method)}</member><member><name>params</name><value><array><data>${params.map(xmlString).join('')}</data></array></value></member></struct></value>`;
  const body = `<?xml version="1.0"?><methodCall><methodName>system.multicall</methodName><params><param><value><array><data>${call('zen.ask', ['Beautiful is better than?'])}${call('farewell', [])}</data></array></value></param></params></methodCall>`;
  const res = await fetch(`http://127.0.0.1:${portOf(svc, 'rpc')}/RPC2`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const xml = await res.text();
  if (
    res.status !== 200 ||
    xml.includes('<fault>') ||
    !xml.includes('Ugly.') ||
    !xml.includes('Farewell, client')
  ) {
    throw new Error(`multicall answered ${res.status}: ${xml.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  return 'system.multicall [zen.ask, farewell] through the gateway: "Ugly.", "Farewell, client"';
};

/** The lab's own view of the stack: RabbitMQ seen, and the services it polls answering. */
const labSeesStack: Check = async (svc) => {
  const { status, body } = await getJson(`http://127.0.0.1:${portOf(svc, 'http')}/api/state`);
  const s = body as { rabbitmq?: { health: string }; services?: { name: string; health: string }[] };
  if (status !== 200 || !s.rabbitmq || !s.services) throw new Error(`GET /api/state answered ${status}`);
  if (s.rabbitmq.health !== 'up')
    throw new Error('the lab sees RabbitMQ down (is the management plugin on?)');
  const up = s.services.filter((x) => x.health === 'up').map((x) => x.name);
  if (!up.includes('rabbit-pipeline'))
    throw new Error(`the lab does not reach rabbit-pipeline; up: ${up.join(', ')}`);
  return `RabbitMQ up; ${up.length} of ${s.services.length} services answer the lab`;
};

export const CHECKS: Record<string, { name: string; run: Check }[]> = {
  'topology-lab': [{ name: 'lab sees the stack', run: labSeesStack }],
  'udp-broadcaster': [{ name: 'udp broadcast', run: udpBroadcast }],
  'tcp-farewell': [{ name: 'farewell', run: farewell }],
  'tls-inspector': [{ name: 'tls inspection', run: tlsInspect }],
  'zen-asyncio': [{ name: 'zen question', run: zen }],
  'redis-cache': [{ name: 'cache miss then hit', run: cacheMissThenHit }],
  'rabbit-pipeline': [{ name: 'pi estimate', run: piEstimate }],
  'http-app': [{ name: 'bank login page', run: bankLogin }],
  'rpc-gateway': [{ name: 'xml-rpc multicall', run: rpcMulticall }],
};
