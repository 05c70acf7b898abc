/**
 * The special-purpose address tables the SSRF policy checks, taken from the IANA registries
 * (https://www.iana.org/assignments/iana-ipv4-special-registry and iana-ipv6-special-registry,
 * as of 2026), the multicast blocks, the cloud metadata endpoints, and every IPv6 form that
 * carries an IPv4 address inside it. First match wins, so the more specific entries come first
 * (metadata before link-local, the registry's globally reachable exceptions before the block
 * that holds them).
 */

export type AddressCategory =
  | 'metadata'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'unique-local'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'documentation';

/** A range and what it is; `null` for the registry's "globally reachable" entries: ordinary addresses. */
export interface SpecialRange {
  cidr: string;
  category: AddressCategory | null;
  what: string;
}

/** An IPv6 form that embeds IPv4 addresses: the address is judged by the IPv4 addresses it carries. */
export interface Embedding {
  cidr: string;
  what: string;
  /** The IPv4 addresses (4 bytes each) a router would forward this IPv6 address to. */
  extract: (bytes: Uint8Array) => Uint8Array[];
  /** The category when every embedded address is an ordinary one; undefined = allowed then. */
  otherwise?: AddressCategory;
}

export const IPV4_SPECIAL: readonly SpecialRange[] = [
  { cidr: '169.254.169.254/32', category: 'metadata', what: 'AWS, GCP, Azure, OpenStack instance metadata' },
  { cidr: '169.254.170.2/32', category: 'metadata', what: 'AWS ECS task metadata' },
  { cidr: '169.254.170.23/32', category: 'metadata', what: 'AWS EKS Pod Identity agent' },
  { cidr: '100.100.100.200/32', category: 'metadata', what: 'Alibaba Cloud metadata' },
  { cidr: '168.63.129.16/32', category: 'metadata', what: 'Azure wire server (a public address)' },
  { cidr: '192.0.0.192/32', category: 'metadata', what: 'Oracle Cloud classic metadata' },
  { cidr: '0.0.0.0/8', category: 'unspecified', what: '"this network" (RFC 791)' },
  { cidr: '10.0.0.0/8', category: 'private', what: 'private-use (RFC 1918)' },
  { cidr: '100.64.0.0/10', category: 'cgnat', what: 'shared address space (RFC 6598)' },
  { cidr: '127.0.0.0/8', category: 'loopback', what: 'loopback (RFC 1122)' },
  { cidr: '169.254.0.0/16', category: 'link-local', what: 'link local (RFC 3927)' },
  { cidr: '172.16.0.0/12', category: 'private', what: 'private-use (RFC 1918)' },
  { cidr: '192.0.0.9/32', category: null, what: 'Port Control Protocol anycast (RFC 7723)' },
  { cidr: '192.0.0.10/32', category: null, what: 'TURN anycast (RFC 8155)' },
  { cidr: '192.0.0.0/24', category: 'reserved', what: 'IETF protocol assignments (RFC 6890)' },
  { cidr: '192.0.2.0/24', category: 'documentation', what: 'TEST-NET-1 (RFC 5737)' },
  { cidr: '192.88.99.0/24', category: 'reserved', what: 'deprecated 6to4 relay anycast (RFC 7526)' },
  { cidr: '192.168.0.0/16', category: 'private', what: 'private-use (RFC 1918)' },
  { cidr: '198.18.0.0/15', category: 'reserved', what: 'benchmarking (RFC 2544)' },
  { cidr: '198.51.100.0/24', category: 'documentation', what: 'TEST-NET-2 (RFC 5737)' },
  { cidr: '203.0.113.0/24', category: 'documentation', what: 'TEST-NET-3 (RFC 5737)' },
  { cidr: '224.0.0.0/4', category: 'multicast', what: 'multicast (RFC 5771)' },
  { cidr: '240.0.0.0/4', category: 'reserved', what: 'reserved (RFC 1112), 255.255.255.255 included' },
];

const last32 = (b: Uint8Array) => [b.slice(12, 16)];
const pick = (b: Uint8Array, ...at: number[]) => Uint8Array.from(at, (i) => b[i]!);

/**
 * The IPv4 address inside an RFC 6052 address for each prefix length a local-use NAT64 prefix
 * may have (/48 to /96; bits 64–71 are the zero "u" octet). The prefix length is the
 * operator's choice and cannot be read from the address, so every reading is checked.
 */
const rfc6052Readings = (b: Uint8Array) => [
  pick(b, 12, 13, 14, 15), // /96
  pick(b, 9, 10, 11, 12), // /64
  pick(b, 7, 9, 10, 11), // /56
  pick(b, 6, 7, 9, 10), // /48
];

/** IPv6 ranges and embedding forms, in checking order (first match wins). */
export const IPV6_SPECIAL: readonly (SpecialRange | Embedding)[] = [
  { cidr: 'fd00:ec2::254/128', category: 'metadata', what: 'AWS instance metadata over IPv6' },
  { cidr: '::/128', category: 'unspecified', what: 'unspecified (RFC 4291)' },
  { cidr: '::1/128', category: 'loopback', what: 'loopback (RFC 4291)' },
  { cidr: '::ffff:0:0/96', what: 'IPv4-mapped (RFC 4291 §2.5.5.2)', extract: last32 },
  { cidr: '::ffff:0:0:0/96', what: 'IPv4-translated (RFC 2765 §2.1)', extract: last32 },
  { cidr: '::/96', what: 'IPv4-compatible, deprecated (RFC 4291 §2.5.5.1)', extract: last32 },
  { cidr: '64:ff9b::/96', what: 'NAT64 well-known prefix (RFC 6052)', extract: last32 },
  {
    cidr: '64:ff9b:1::/48',
    what: 'local-use NAT64 (RFC 8215): never globally reachable',
    extract: rfc6052Readings,
    otherwise: 'reserved',
  },
  { cidr: '100::/64', category: 'reserved', what: 'discard-only (RFC 6666)' },
  { cidr: '100:0:0:1::/64', category: 'reserved', what: 'dummy prefix (RFC 9780)' },
  { cidr: '2001:1::1/128', category: null, what: 'Port Control Protocol anycast (RFC 7723)' },
  { cidr: '2001:1::2/128', category: null, what: 'TURN anycast (RFC 8155)' },
  { cidr: '2001:1::3/128', category: null, what: 'DNS-SD service registration anycast (RFC 9665)' },
  { cidr: '2001:3::/32', category: null, what: 'AMT (RFC 7450)' },
  { cidr: '2001:4:112::/48', category: null, what: 'AS112-v6 (RFC 7535)' },
  { cidr: '2001:20::/28', category: null, what: 'ORCHIDv2 (RFC 7343)' },
  { cidr: '2001:30::/28', category: null, what: 'drone remote ID (RFC 9374)' },
  {
    cidr: '2001::/32',
    what: 'Teredo (RFC 4380): server address in bits 32–63, client address inverted in the last 32',
    extract: (b) => [pick(b, 4, 5, 6, 7), Uint8Array.from(b.slice(12, 16), (x) => x ^ 0xff)],
  },
  { cidr: '2001:2::/48', category: 'reserved', what: 'benchmarking (RFC 5180)' },
  { cidr: '2001:10::/28', category: 'reserved', what: 'deprecated ORCHID (RFC 4843)' },
  { cidr: '2001:db8::/32', category: 'documentation', what: 'documentation (RFC 3849)' },
  { cidr: '2001::/23', category: 'reserved', what: 'IETF protocol assignments (RFC 2928)' },
  {
    cidr: '2002::/16',
    what: '6to4 (RFC 3056): the IPv4 address in bits 16–47',
    extract: (b) => [pick(b, 2, 3, 4, 5)],
  },
  { cidr: '3fff::/20', category: 'documentation', what: 'documentation (RFC 9637)' },
  { cidr: '5f00::/16', category: 'reserved', what: 'segment routing SIDs (RFC 9602)' },
  { cidr: 'fc00::/7', category: 'unique-local', what: 'unique local (RFC 4193)' },
  { cidr: 'fe80::/10', category: 'link-local', what: 'link-local unicast (RFC 4291)' },
  { cidr: 'fec0::/10', category: 'reserved', what: 'site-local, deprecated (RFC 3879)' },
  { cidr: 'ff00::/8', category: 'multicast', what: 'multicast (RFC 4291)' },
];

/**
 * ISATAP (RFC 5214) puts an IPv4 address in the interface identifier under any prefix
 * (…:0:5efe:a.b.c.d, or 200:5efe with the universal bit): a host with an ISATAP interface
 * would tunnel to that IPv4 address. Checked after the table, on any address it let through.
 */
export function isatapIPv4(b: Uint8Array): Uint8Array | undefined {
  return (b[8]! & 0xfc) === 0 && b[9] === 0 && b[10] === 0x5e && b[11] === 0xfe ? b.slice(12, 16) : undefined;
}

/** The bytes of an IP address (4 or 16), or undefined when it is not one. A zone (%eth0) is ignored. */
export function ipBytes(address: string): Uint8Array | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    return parts.every((p) => p <= 255) ? Uint8Array.from(parts) : undefined;
  }
  let text = address.split('%')[0]!;
  if (!/^[0-9a-f:.]+$/i.test(text) || !text.includes(':')) return undefined;
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: Uint8Array | undefined;
  if (dotted) {
    tail = ipBytes(dotted[1]!);
    if (tail?.length !== 4) return undefined;
    text = `${text.slice(0, -dotted[1]!.length)}${((tail[0]! << 8) | tail[1]!).toString(16)}:${((tail[2]! << 8) | tail[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  if (halves.length === 2 ? fill < 1 : head.length !== 8) return undefined;
  const all = [...head, ...new Array<string>(fill).fill('0'), ...rest];
  const out = new Uint8Array(16);
  for (const [i, g] of all.entries()) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    const n = Number.parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 255;
  }
  return out;
}

/** A parsed CIDR: the network's bytes and its prefix length. */
export interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

export function parseCidr(cidr: string): Cidr {
  const [address, prefixText, extra] = cidr.trim().split('/');
  const bytes = ipBytes(address ?? '');
  const max = bytes ? bytes.length * 8 : 0;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!bytes || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw new Error(
      `invalid CIDR ${JSON.stringify(cidr)}: expected ADDRESS/PREFIX such as 10.0.0.0/8 or fd00::/8`,
    );
  }
  return { bytes, prefix };
}

/** Whether the address (same family as the CIDR) lies in it. */
export function inCidr(address: Uint8Array, { bytes, prefix }: Cidr): boolean {
  if (address.length !== bytes.length) return false;
  const whole = prefix >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== bytes[i]) return false;
  const bits = prefix & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (address[whole]! & mask) === (bytes[whole]! & mask);
}

export const formatIPv4 = (b: Uint8Array): string => Array.from(b).join('.');
