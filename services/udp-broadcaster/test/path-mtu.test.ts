/**
 * big's figures against the kernel's own, and errors on a host with no route: each case in
 * a network namespace of its own (only its loopback), so its /proc/net/snmp counts nothing
 * but this test's datagrams and no route but loopback exists.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers.js';
import { netnsUnavailable } from './netns.js';

const BOOK_BIG_SENDER = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../shared/peers/fopnp-py3/chapter02/big_sender.py',
);
const made: string[] = [];
let skipReason: string | undefined;

beforeAll(async () => {
  skipReason = await netnsUnavailable();
});
afterAll(async () => {
  for (const ns of made) await run('ip', ['netns', 'del', ns], { timeoutMs: 10_000 });
});

/** A namespace with its loopback up (at `mtu` when given) and no other interface or route. */
async function namespace(mtu?: number): Promise<(command: string[]) => ReturnType<typeof run>> {
  const ns = `fopnp-mtu-${randomBytes(4).toString('hex')}`;
  const ip = async (args: string[]) => {
    const r = await run('ip', args, { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  };
  await ip(['netns', 'add', ns]);
  made.push(ns);
  await ip(['-n', ns, 'link', 'set', 'lo', 'up', ...(mtu ? ['mtu', String(mtu)] : [])]);
  return (command) => run('ip', ['netns', 'exec', ns, ...command], { timeoutMs: 30_000 });
}

async function fragCreates(exec: Awaited<ReturnType<typeof namespace>>): Promise<number> {
  const snmp = (await exec(['cat', '/proc/net/snmp'])).stdout.split('\n');
  const [header, values] = snmp.filter((line) => line.startsWith('Ip:')).map((line) => line.split(/\s+/));
  return Number(values![header!.indexOf('FragCreates')]);
}

describe('big: the path MTU and the fragments, as the kernel counts them', () => {
  it('sends 65,507 bytes on loopback as one packet (FragCreates unchanged), path MTU 65535', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const exec = await namespace();
    const before = await fragCreates(exec);
    const r = await exec([process.execPath, CLI, 'big', '127.0.0.1', '--size', '65507']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'The big datagram was sent!\n' +
        '  65507 bytes, path MTU 65535 (interface lo has MTU 65536; the kernel caps an IPv4 path at 65535): it fit in one IP packet\n',
    );
    expect(await fragCreates(exec)).toBe(before);
  });

  it("prints the book's Actual MTU line for a datagram the kernel refuses: the path MTU, as big_sender.py reads it", async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const exec = await namespace();
    const book = await exec(['python3', BOOK_BIG_SENDER, '127.0.0.1']);
    expect(book.stdout).toBe('Alas, the datagram did not make it\nActual MTU: 65535\n');
    const ours = await exec([process.execPath, CLI, 'big', '127.0.0.1', '--size', '999999']);
    expect(ours.code).toBe(1);
    expect(ours.stdout.split('\n').slice(0, 2).join('\n')).toBe(
      'Alas, the datagram did not make it\nActual MTU: 65535',
    );
  });

  it('counts the fragments the kernel makes on a 1500-byte path: 3 for 4,000 bytes', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const exec = await namespace(1500);
    const before = await fragCreates(exec);
    const r = await exec([process.execPath, CLI, 'big', '127.0.0.1', '--size', '4000']);
    expect(r.stdout).toBe(
      'The big datagram was sent!\n' +
        "  4000 bytes, path MTU 1500 (interface lo's MTU): the kernel split it into 3 IP fragments; losing any one loses the datagram\n",
    );
    expect((await fragCreates(exec)) - before).toBe(3);
  });
});

describe('with no route to the host', () => {
  it.each([
    ['big', ['big', '10.1.2.3']],
    ['request', ['request', '10.1.2.3']],
  ])('%s says the host is unreachable in one line, exit 1', async (_name, args) => {
    if (skipReason) return;
    const exec = await namespace();
    const r = await exec([process.execPath, CLI, ...args]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    // Before: connect()'s ENETUNREACH was ignored, and send() then failed with ERR_SOCKET_BAD_PORT.
    expect(r.stderr).toBe(
      'error: host 10.1.2.3:1060 is unreachable: check the address and your network route\n',
    );
  });
});
