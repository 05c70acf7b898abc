/**
 * The Redis servers the lab watches: role, keys, ops/s and hit ratio from INFO, and for a
 * Redis Cluster every node and its slot ranges from CLUSTER SHARDS (asked of any node
 * that answers), so nodes added or promoted show up without configuration.
 */
import type { Logger } from '@fopnp/net';
import { Redis } from 'ioredis';
import type { RedisNodeView } from '../snapshot.js';
import { describeError } from './http.js';

/** Parses INFO's `key:value` lines (sections merged). */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

/** Sum of keys over db0..dbN from INFO keyspace (`db0:keys=3,expires=0,avg_ttl=0`). */
export function keysOf(info: Map<string, string>): number {
  let n = 0;
  for (const [k, v] of info) if (/^db\d+$/.test(k)) n += Number(/keys=(\d+)/.exec(v)?.[1] ?? 0);
  return n;
}

/** CLUSTER SHARDS' reply: [ 'slots', [a, b, …], 'nodes', [ [ 'id', …, 'port', p, 'ip', … ], … ] ] per shard. */
export interface ClusterShard {
  slots: [number, number][];
  nodes: { address: string; role: string; health: string }[];
}

function pairs(flat: unknown[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) m.set(String(flat[i]), flat[i + 1]);
  return m;
}

/**
 * `fallbackHost` is the host of the node asked: a node that has met no other yet reports
 * its own ip as empty.
 */
export function parseClusterShards(reply: unknown, fallbackHost: string): ClusterShard[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((shard) => {
    const s = pairs(shard as unknown[]);
    const flatSlots = ((s.get('slots') as unknown[]) ?? []).map(Number);
    const slots: [number, number][] = [];
    for (let i = 0; i + 1 < flatSlots.length; i += 2) slots.push([flatSlots[i]!, flatSlots[i + 1]!]);
    const nodes = ((s.get('nodes') as unknown[][]) ?? []).map((n) => {
      const m = pairs(n);
      const host = String(m.get('ip') || m.get('endpoint') || fallbackHost);
      return {
        address: `${host}:${String(m.get('port'))}`,
        role: String(m.get('role')),
        health: String(m.get('health')),
      };
    });
    return { slots, nodes };
  });
}

export class RedisSource {
  private readonly clients = new Map<string, Redis>();
  /** Cluster nodes learnt from CLUSTER SHARDS (a cluster's size is bounded; nothing else is added). */
  private readonly discovered = new Set<string>();

  constructor(
    private readonly configured: string[],
    private readonly logger: Logger,
    private readonly timeoutMs = 1_000,
  ) {}

  private client(address: string): Redis {
    let c = this.clients.get(address);
    if (!c) {
      const [host, port] = splitAddress(address);
      // No offline queue and no retries per command: a down server answers "down" at once
      // instead of holding the poll; the connection itself keeps retrying in the background.
      c = new Redis({
        host,
        port,
        lazyConnect: false,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: this.timeoutMs,
        commandTimeout: this.timeoutMs,
        retryStrategy: () => 500,
        connectionName: 'topology-lab',
      });
      c.on('error', (err) => this.logger.debug({ address, err: err.message }, 'redis poll connection'));
      this.clients.set(address, c);
    }
    return c;
  }

  async poll(): Promise<RedisNodeView[]> {
    // Cluster nodes found before are asked too: the configured seed may be the node that died.
    const seeds = [...new Set([...this.configured.map(addressOfUrl), ...this.discovered])];
    const views = new Map<string, RedisNodeView>();
    await Promise.all(seeds.map(async (a) => views.set(a, await this.node(a))));
    // A cluster: learn every node and the slots from whichever node answers.
    const clustered = [...views.values()].find((v) => v.clusterEnabled && v.health === 'up');
    if (clustered) {
      let shards: ClusterShard[] = [];
      try {
        const reply = await this.client(clustered.address).call('CLUSTER', 'SHARDS');
        shards = parseClusterShards(reply, splitAddress(clustered.address)[0]);
      } catch (err) {
        this.logger.debug({ err: describeError(err) }, 'CLUSTER SHARDS failed');
      }
      const extra = shards.flatMap((s) => s.nodes.map((n) => n.address)).filter((a) => !views.has(a));
      for (const a of extra) this.discovered.add(a);
      await Promise.all(extra.map(async (a) => views.set(a, await this.node(a))));
      for (const s of shards) {
        for (const n of s.nodes) {
          const v = views.get(n.address);
          if (!v) continue;
          if (n.role === 'master' && n.health !== 'fail') v.slots = s.slots;
          if (n.health === 'fail' && v.health !== 'up') v.health = 'down';
        }
      }
    }
    return [...views.values()].sort((a, b) => a.address.localeCompare(b.address));
  }

  private async node(address: string): Promise<RedisNodeView> {
    const base: RedisNodeView = {
      address,
      health: 'down',
      error: null,
      role: null,
      masterOf: null,
      keys: null,
      opsPerSec: null,
      hitRatio: null,
      memoryBytes: null,
      clusterEnabled: false,
      slots: [],
    };
    try {
      const client = this.client(address);
      await this.connected(client);
      const info = parseInfo(await client.info());
      const hits = Number(info.get('keyspace_hits') ?? 0);
      const misses = Number(info.get('keyspace_misses') ?? 0);
      return {
        ...base,
        health: 'up',
        role: info.get('role') ?? null,
        masterOf:
          info.get('role') === 'slave' ? `${info.get('master_host')}:${info.get('master_port')}` : null,
        keys: keysOf(info),
        // INFO's own estimate over its last samples (Redis samples every 100 ms).
        opsPerSec: Number(info.get('instantaneous_ops_per_sec') ?? 0),
        hitRatio: hits + misses > 0 ? hits / (hits + misses) : null,
        memoryBytes: info.has('used_memory') ? Number(info.get('used_memory')) : null,
        clusterEnabled: info.get('cluster_enabled') === '1',
      };
    } catch (err) {
      return { ...base, error: describeError(err) };
    }
  }

  /** A connection being made (first use, or a server coming back) gets a moment to finish. */
  private async connected(c: Redis): Promise<void> {
    if (c.status !== 'connecting' && c.status !== 'connect' && c.status !== 'wait') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        c.off('ready', done);
        c.off('error', done);
        resolve();
      };
      const t = setTimeout(done, this.timeoutMs);
      c.once('ready', done);
      c.once('error', done);
    });
  }

  /**
   * One command on a watched server (the lab's own look-ups: EXISTS, CLUSTER KEYSLOT), over
   * the poll's connection; a down server fails at once.
   */
  async call(address: string, command: string, ...args: string[]): Promise<unknown> {
    const client = this.client(address);
    await this.connected(client);
    return client.call(command, ...args);
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.disconnect();
    this.clients.clear();
  }
}

export function addressOfUrl(url: string): string {
  if (!url.includes('://')) return url;
  const u = new URL(url);
  return `${u.hostname}:${u.port || 6379}`;
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}
