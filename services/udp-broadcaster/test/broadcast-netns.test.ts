import { type BackgroundProcess, run, startProcess, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers.js';
import { createLan, type Lan, netnsUnavailable } from './netns.js';

let lan: Lan | undefined;
let skipReason: string | undefined;
const servers: BackgroundProcess[] = [];

beforeAll(async () => {
  skipReason = await netnsUnavailable();
  if (skipReason) {
    console.warn(`skipping the cross-host broadcast test: ${skipReason}`);
    return;
  }
  lan = await createLan(2);
  for (const host of lan.hosts) {
    // Port 1060 is free: each namespace has its own ports.
    const server = startProcess('ip', lan.exec(host.ns, [process.execPath, CLI, 'server', '0.0.0.0']));
    servers.push(server);
    await server.waitForOutput(/Listening at \('0\.0\.0\.0', 1060\)/);
  }
}, 60_000);

afterAll(async () => {
  for (const server of servers) await server.stop('SIGKILL');
  await stopAll();
  await lan?.destroy();
});

describe('a broadcast across hosts on a private LAN of network namespaces', () => {
  it('reaches the servers on both other hosts, and both answer', async (ctx) => {
    if (!lan) return ctx.skip(skipReason);
    const client = await run(
      'ip',
      lan.exec(lan.hub.ns, [process.execPath, CLI, 'client', lan.broadcast, '--listen-ms', '1500']),
    );

    expect(client.stderr).toBe('');
    expect(client.code).toBe(0);
    for (const [i, host] of lan.hosts.entries()) {
      await servers[i]!.waitForOutput(
        new RegExp(
          `The client at \\('${lan.hub.address.replaceAll('.', '\\.')}', \\d+\\) says 'Broadcast datagram!'`,
        ),
      );
      expect(client.stdout).toContain(
        `Reply from ('${host.address}', 1060): 'Your data was 19 bytes long'\n`,
      );
    }
    expect(client.stdout).toContain('2 replies in 1500 ms\n');
  });

  it('sends a 65,000-byte datagram over a 1500-byte-MTU link as the fragments it reports', async (ctx) => {
    if (!lan) return ctx.skip(skipReason);
    const [sender, target] = [lan.hub, lan.hosts[0]!];
    const before = {
      created: await ipStat(sender.ns, 'FragCreates'),
      reassembled: await ipStat(target.ns, 'ReasmOKs'),
    };

    const client = await run('ip', lan.exec(sender.ns, [process.execPath, CLI, 'big', target.address]));

    expect(client.code).toBe(0);
    // 1480 bytes of payload per fragment (MTU minus the 20-byte IP header); 65,008 with the UDP header.
    expect(client.stdout).toBe(
      'The big datagram was sent!\n' +
        "  65000 bytes, path MTU 1500 (interface br0's MTU): the kernel split it into 44 IP fragments; losing any one loses the datagram\n",
    );
    await servers[0]!.waitForOutput(/says '#{65000}'/);
    // The kernels' own counters agree: 44 fragments made here, one datagram reassembled there.
    expect((await ipStat(sender.ns, 'FragCreates')) - before.created).toBe(44);
    expect((await ipStat(target.ns, 'ReasmOKs')) - before.reassembled).toBe(1);
  });
});

/** One IPv4 counter of a namespace's /proc/net/snmp (the "Ip:" header and value lines). */
async function ipStat(ns: string, name: string): Promise<number> {
  const snmp = (await run('ip', ['netns', 'exec', ns, 'cat', '/proc/net/snmp'])).stdout.split('\n');
  const [header, values] = snmp.filter((line) => line.startsWith('Ip:')).map((line) => line.split(/\s+/));
  return Number(values![header!.indexOf(name)]);
}
