/**
 * twemproxy's two deterministic distributions, computed as its src/hashkit does, so that for
 * the same server list a client-side shard choice and a twemproxy pool agree on every key
 * (tested against Debian's nutcracker 0.5.0 in twemproxy.test.ts).
 *
 * ketama (nc_ketama.c): each server gets floor(weight/total * 160/4 * N) * 4 points,
 * computed in single-precision float as the C code does (so weights that do not divide
 * evenly lose points to rounding, exactly as in twemproxy); the points of server `name` are
 * the four little-endian words of md5("<name>-<i>") for i = 0, 1, ...; a key goes to the
 * first point at or after hash(key) on the sorted ring, wrapping past the top. `name` is the
 * server's name in the pool's YAML ("127.0.0.1:6379:1 server0" → "server0"), or without one
 * "host:port" ("host" alone for port 11211, for libmemcached's sake).
 *
 * modula (nc_modula.c): a list holding each server `weight` times, in twemproxy's order of
 * the servers (sorted by name, see twemproxyOrder: not the YAML's order); a key goes to entry
 * hash(key) mod (sum of weights).
 *
 * As in twemproxy: a pool of one server takes every key; an empty key hashes to 0.
 * Not modelled: hash_tag, and auto_eject_hosts (which rebuilds the ring without a failed
 * server, so keys move: turn it off when clients must agree with the proxy).
 */
import { type KeyHash, ketamaPoints, type TwemproxyHashName, twemproxyHash } from './twemproxy-hash.js';

export interface PoolServer {
  /** The name ketama hashes: the YAML's explicit name, else "host:port". */
  name: string;
  /** @default 1 */
  weight?: number;
}

export type TwemproxyDistribution = 'ketama' | 'modula';

/** An owner index 0..N-1 for each key, as twemproxy's server_pool_idx() computes it. */
export interface PoolPlacement {
  readonly servers: readonly PoolServer[];
  readonly hash: TwemproxyHashName;
  indexOf(key: string): number;
}

const POINTS_PER_SERVER = 160;
const f = Math.fround;

/** pointer_per_server of nc_ketama.c, with float32 rounding at each step as the C code has. */
export function ketamaPointsPerServer(weight: number, totalWeight: number, servers: number): number {
  const pct = f(f(weight) / f(totalWeight));
  const x = f(f(f(f(pct * POINTS_PER_SERVER) / 4) * f(servers)) + 0.0000000001);
  return Math.floor(x) * 4;
}

function checkServers(servers: readonly PoolServer[]): number[] {
  if (servers.length === 0) throw new RangeError('a twemproxy pool needs at least one server');
  if (servers.length > 65_535) throw new RangeError('at most 65535 servers');
  return servers.map((s) => {
    const w = s.weight ?? 1;
    if (!Number.isInteger(w) || w < 1)
      throw new RangeError(`server ${JSON.stringify(s.name)}: weight must be an integer >= 1, got ${w}`);
    return w;
  });
}

function poolHash(servers: readonly PoolServer[], hash: KeyHash) {
  return (key: string): number => {
    const bytes = Buffer.from(key, 'utf8');
    // server_pool_hash(): one server or an empty key hash to 0.
    if (servers.length === 1 || bytes.length === 0) return 0;
    return hash(bytes);
  };
}

/**
 * The order twemproxy keeps a pool's servers in: not the YAML's. conf_validate_server() sorts
 * them by name to find duplicates (string_compare: shorter names first, then bytewise) and
 * the sorted array is the pool from then on. Ketama does not care (a point belongs to a name),
 * but modula's hash mod N counts in this order. Returns the indices of `servers`, sorted.
 */
export function twemproxyOrder(servers: readonly PoolServer[]): number[] {
  const names = servers.map((s) => Buffer.from(s.name, 'utf8'));
  return names
    .map((_, i) => i)
    .sort((a, b) => names[a]!.length - names[b]!.length || Buffer.compare(names[a]!, names[b]!));
}

export function ketamaPlacement(
  servers: readonly PoolServer[],
  hashName: TwemproxyHashName = 'fnv1a_64',
): PoolPlacement {
  const weights = checkServers(servers);
  const total = weights.reduce((a, b) => a + b, 0);
  const points: { value: number; index: number }[] = [];
  servers.forEach((server, index) => {
    const count = ketamaPointsPerServer(weights[index]!, total, servers.length);
    for (let i = 0; i < count / 4; i++)
      for (const value of ketamaPoints(`${server.name}-${i}`)) points.push({ value, index });
  });
  // twemproxy's qsort leaves equal values in no particular order; by server index is as good
  // and deterministic. Equal values need an MD5 collision on 32 bits among a few hundred points.
  points.sort((a, b) => a.value - b.value || a.index - b.index);
  const values = Uint32Array.from(points, (p) => p.value);
  const owners = Uint16Array.from(points, (p) => p.index);
  const hashOf = poolHash(servers, twemproxyHash(hashName));
  return {
    servers,
    hash: hashName,
    indexOf(key) {
      const h = hashOf(key);
      let lo = 0;
      let hi = values.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (values[mid]! < h) lo = mid + 1;
        else hi = mid;
      }
      return owners[lo === values.length ? 0 : lo]!;
    },
  };
}

export function modulaPlacement(
  servers: readonly PoolServer[],
  hashName: TwemproxyHashName = 'fnv1a_64',
): PoolPlacement {
  const weights = checkServers(servers);
  const continuum = Uint16Array.from(
    twemproxyOrder(servers).flatMap((index) => Array<number>(weights[index]!).fill(index)),
  );
  const hashOf = poolHash(servers, twemproxyHash(hashName));
  return {
    servers,
    hash: hashName,
    indexOf: (key) => continuum[hashOf(key) % continuum.length]!,
  };
}

export function twemproxyPlacement(
  distribution: TwemproxyDistribution,
  servers: readonly PoolServer[],
  hashName?: TwemproxyHashName,
): PoolPlacement {
  return distribution === 'ketama' ? ketamaPlacement(servers, hashName) : modulaPlacement(servers, hashName);
}

/** The pool's YAML `servers:` lines for these addresses, names and weights ("host:port:weight name"). */
export function twemproxyServerLines(
  addresses: readonly string[],
  servers: readonly PoolServer[] | undefined,
): string[] {
  return addresses.map((addr, i) => {
    const s = servers?.[i];
    const named = s && s.name !== addr ? ` ${s.name}` : '';
    return `${addr}:${s?.weight ?? 1}${named}`;
  });
}
