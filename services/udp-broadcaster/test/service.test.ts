import { freePort, scrapeMetrics, stopAll, waitForHttp } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackgroundProcess, runCli, sendFrom, startCli } from './helpers.js';

let port: number;
let healthPort: number;
let service: BackgroundProcess;

const env = (udpPort: number, health: number) => ({
  HOST: '127.0.0.1',
  PORT: String(udpPort),
  HEALTH_HOST: '127.0.0.1',
  HEALTH_PORT: String(health),
  DROP_RATE: '0.5',
  LOG_LEVEL: 'info',
});

beforeAll(async () => {
  [port, healthPort] = [await freePort('udp'), await freePort()];
  service = startCli(['serve'], env(port, healthPort));
  await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`);
});
afterAll(stopAll);

async function metrics(): Promise<string> {
  return scrapeMetrics(`http://127.0.0.1:${healthPort}`).then((m) => m.text);
}

describe('udp-broadcaster serve', () => {
  it('counts datagrams and bytes by source address, and the ones it dropped', async () => {
    // Every 127.x.y.z is local on Linux: three senders, two distinct sources.
    // DROP_RATE 0.5 drops the 1st and 3rd datagrams and answers the 2nd.
    expect(await sendFrom('127.0.0.2', port, Buffer.from('one'))).toBe('no reply\n');
    expect(await sendFrom('127.0.0.2', port, Buffer.from('second'))).toBe(
      "reply b'Your data was 6 bytes long'\n",
    );
    expect(await sendFrom('127.0.0.3', port, Buffer.from('3rd!'))).toBe('no reply\n');

    const text = await metrics();
    expect(text).toContain(
      'udp_broadcaster_datagrams_received_total{source="127.0.0.2",service="udp-broadcaster"} 2',
    );
    expect(text).toContain(
      'udp_broadcaster_datagrams_received_total{source="127.0.0.3",service="udp-broadcaster"} 1',
    );
    expect(text).toContain(
      'udp_broadcaster_received_bytes_total{source="127.0.0.2",service="udp-broadcaster"} 9',
    );
    expect(text).toContain(
      'udp_broadcaster_received_bytes_total{source="127.0.0.3",service="udp-broadcaster"} 4',
    );
    expect(text).toContain('udp_broadcaster_requests_dropped_total{service="udp-broadcaster"} 2');
    expect(text).toContain('udp_broadcaster_replies_sent_total{service="udp-broadcaster"} 1');
  });

  it('counts a non-ASCII datagram as an error of its kind, and still answers it', async () => {
    // The 4th datagram: DROP_RATE 0.5 answers it.
    expect(await sendFrom('127.0.0.4', port, Buffer.from([0xc3, 0xa9]))).toBe(
      "reply b'Your data was 2 bytes long'\n",
    );

    const text = await metrics();
    expect(text).toContain('udp_broadcaster_errors_total{kind="non_ascii",service="udp-broadcaster"} 1');
    expect(text).toContain(
      'udp_broadcaster_datagrams_received_total{source="127.0.0.4",service="udp-broadcaster"} 1',
    );
  });

  it('serves /healthz and /readyz on the health port', async () => {
    const live = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok', service: 'udp-broadcaster' });
    expect((await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status).toBe(200);
  });

  it('refuses to start a second copy on the same UDP port, exit 1', async () => {
    const second = await runCli(['serve', '--host', '127.0.0.1', '-p', String(port), '--health-port', '0']);

    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`error: address 127.0.0.1:${port} is already in use`);
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await service.stop('SIGTERM')).toBe(0);
    expect(service.output()).toContain('"msg":"shutdown complete"');
  });
});
