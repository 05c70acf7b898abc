/**
 * A throwaway LAN for tests: network namespaces joined by veth pairs to a bridge. Every
 * interface and address lives inside namespaces the test creates, so nothing touches the
 * host's own network, and deleting the namespaces removes all of it.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { run } from '@fopnp/net/testing';

export interface Lan {
  /** 10.99.N: the /24 this LAN uses. */
  subnet: string;
  broadcast: string;
  /** The namespace holding the bridge; the client runs here (the test's own host). */
  hub: { ns: string; address: string };
  hosts: { ns: string; address: string }[];
  /** Runs a command inside a namespace. */
  exec(ns: string, command: string[]): string[];
  destroy(): Promise<void>;
}

async function ip(args: string[]): Promise<void> {
  const result = await run('ip', args, { timeoutMs: 10_000 });
  if (result.code !== 0) throw new Error(`ip ${args.join(' ')} failed: ${result.stderr.trim()}`);
}

/** Why namespaces cannot be made here, or undefined when they can. */
export async function netnsUnavailable(): Promise<string | undefined> {
  const probe = `fopnp-probe-${randomBytes(4).toString('hex')}`;
  const made = await run('ip', ['netns', 'add', probe], { timeoutMs: 10_000 }).catch((err: Error) => ({
    code: 1,
    stderr: err.message,
  }));
  if (made.code !== 0) return `"ip netns add" was refused: ${made.stderr.trim()}`;
  await run('ip', ['netns', 'del', probe], { timeoutMs: 10_000 });
  return undefined;
}

/** Creates a hub namespace with a bridge and `count` host namespaces plugged into it. */
export async function createLan(count: number): Promise<Lan> {
  const id = randomBytes(4).toString('hex');
  const subnet = `10.99.${randomInt(1, 255)}`;
  const hub = { ns: `fopnp-${id}-hub`, address: `${subnet}.1` };
  const hosts = Array.from({ length: count }, (_, i) => ({
    ns: `fopnp-${id}-h${i}`,
    address: `${subnet}.${i + 2}`,
  }));
  const created: string[] = [];
  const lan: Lan = {
    subnet,
    broadcast: `${subnet}.255`,
    hub,
    hosts,
    exec: (ns, command) => ['netns', 'exec', ns, ...command],
    async destroy() {
      // Deleting a namespace deletes its interfaces, and a veth pair dies with either end.
      for (const ns of created.reverse()) await run('ip', ['netns', 'del', ns], { timeoutMs: 10_000 });
    },
  };
  try {
    for (const ns of [hub.ns, ...hosts.map((h) => h.ns)]) {
      await ip(['netns', 'add', ns]);
      created.push(ns);
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    await ip(['-n', hub.ns, 'link', 'add', 'br0', 'type', 'bridge']);
    await ip(['-n', hub.ns, 'addr', 'add', `${hub.address}/24`, 'brd', '+', 'dev', 'br0']);
    await ip(['-n', hub.ns, 'link', 'set', 'br0', 'up']);
    for (const [i, host] of hosts.entries()) {
      await ip([
        '-n',
        hub.ns,
        'link',
        'add',
        `port${i}`,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        host.ns,
      ]);
      await ip(['-n', hub.ns, 'link', 'set', `port${i}`, 'master', 'br0', 'up']);
      await ip(['-n', host.ns, 'addr', 'add', `${host.address}/24`, 'brd', '+', 'dev', 'eth0']);
      await ip(['-n', host.ns, 'link', 'set', 'eth0', 'up']);
    }
    return lan;
  } catch (err) {
    await lan.destroy();
    throw err;
  }
}
