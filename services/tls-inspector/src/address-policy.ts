/**
 * Which addresses the HTTP service may connect to. It connects to hosts its users name, so
 * without this it would be an open proxy into the network it runs in (SSRF): the cloud
 * metadata endpoint, the cluster's private services, the machine's own loopback ports.
 * The check runs on every *resolved* address, and the connection then goes to that very
 * address (SNI carries the name), so a DNS answer that changes between check and connect
 * (rebinding) cannot slip past it.
 */
import net from 'node:net';

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

/** Categories that ALLOW_PRIVATE=true opens; metadata and the rest stay closed. */
const PRIVATE_CATEGORIES: ReadonlySet<AddressCategory> = new Set([
  'loopback',
  'private',
  'link-local',
  'cgnat',
  'unique-local',
]);

/** [category, CIDR] in checking order: metadata first, so it wins over link-local/CGNAT. */
const RANGES: [AddressCategory, string][] = [
  ['metadata', '169.254.169.254/32'], // AWS, GCP, Azure, OpenStack instance metadata
  ['metadata', '169.254.170.2/32'], // AWS ECS task metadata
  ['metadata', '100.100.100.200/32'], // Alibaba Cloud metadata
  ['metadata', '168.63.129.16/32'], // Azure wire server (a public address!)
  ['metadata', 'fd00:ec2::254/128'], // AWS IMDS over IPv6
  ['unspecified', '0.0.0.0/8'],
  ['loopback', '127.0.0.0/8'],
  ['private', '10.0.0.0/8'],
  ['private', '172.16.0.0/12'],
  ['private', '192.168.0.0/16'],
  ['cgnat', '100.64.0.0/10'],
  ['link-local', '169.254.0.0/16'],
  ['reserved', '192.0.0.0/24'],
  ['documentation', '192.0.2.0/24'],
  ['reserved', '198.18.0.0/15'],
  ['documentation', '198.51.100.0/24'],
  ['documentation', '203.0.113.0/24'],
  ['multicast', '224.0.0.0/4'],
  ['reserved', '240.0.0.0/4'], // includes 255.255.255.255
  ['unspecified', '::/128'],
  ['loopback', '::1/128'],
  ['unique-local', 'fc00::/7'],
  ['link-local', 'fe80::/10'],
  ['multicast', 'ff00::/8'],
  ['documentation', '2001:db8::/32'],
  ['reserved', '100::/64'],
];

export interface AddressPolicyOptions {
  /** Allow loopback, RFC 1918, link-local, CGNAT and unique-local addresses (never metadata). @default false */
  allowPrivate?: boolean;
  /** CIDRs allowed whatever their category, e.g. "127.0.0.0/8" or "10.1.0.0/16". @default [] */
  allowCidrs?: readonly string[];
}

export type AddressVerdict =
  | { allowed: true; category?: AddressCategory }
  | { allowed: false; category: AddressCategory };

function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address, prefixText] = cidr.trim().split('/');
  const family = net.isIP(address ?? '');
  const max = family === 6 ? 128 : 32;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw new Error(
      `invalid CIDR ${JSON.stringify(cidr)}: expected ADDRESS/PREFIX such as 10.0.0.0/8 or fd00::/8`,
    );
  }
  return { address: address!, prefix, family: family === 6 ? 'ipv6' : 'ipv4' };
}

/** The IPv4 address embedded in an IPv4-mapped (::ffff:a.b.c.d), NAT64 or 6to4 IPv6 address. */
function embeddedIPv4(address: string): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  const groups = expandIPv6(address);
  if (!groups) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const prefix = groups
    .slice(0, 6)
    .map((g) => g.toString(16))
    .join(':');
  if (prefix === '0:0:0:0:0:ffff') return v4(groups[6]!, groups[7]!);
  // NAT64 well-known prefix 64:ff9b::/96: the gateway would forward to the IPv4 address.
  if (prefix === '64:ff9b:0:0:0:0') return v4(groups[6]!, groups[7]!);
  // 6to4 2002:AABB:CCDD::/48 tunnels to AA.BB.CC.DD.
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!);
  return undefined;
}

function expandIPv6(address: string): number[] | undefined {
  if (net.isIPv6(address) === false) return undefined;
  let text = address.split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const p = dotted[1]!.split('.').map(Number);
    text = text.replace(
      dotted[1]!,
      `${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`,
    );
  }
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = text.includes('::') ? new Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => Number.parseInt(g, 16));
}

export class AddressPolicy {
  private readonly ranges: [AddressCategory, net.BlockList][];
  private readonly allowList = new net.BlockList();
  private readonly allowPrivate: boolean;

  constructor(options: AddressPolicyOptions = {}) {
    this.allowPrivate = options.allowPrivate ?? false;
    const byCategory = new Map<AddressCategory, net.BlockList>();
    this.ranges = [];
    for (const [category, cidr] of RANGES) {
      let list = byCategory.get(category);
      if (!list) {
        list = new net.BlockList();
        byCategory.set(category, list);
      }
      const { address, prefix, family } = parseCidr(cidr);
      list.addSubnet(address, prefix, family);
    }
    // Keep the order of first appearance so metadata is checked first.
    for (const [category] of RANGES) {
      if (!this.ranges.some(([c]) => c === category)) this.ranges.push([category, byCategory.get(category)!]);
    }
    for (const cidr of options.allowCidrs ?? []) {
      const { address, prefix, family } = parseCidr(cidr);
      this.allowList.addSubnet(address, prefix, family);
    }
  }

  /** The special-purpose category of an IP address, or undefined for an ordinary public one. */
  categorize(address: string): AddressCategory | undefined {
    const family = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
    for (const [category, list] of this.ranges) if (list.check(address, family)) return category;
    if (family === 'ipv6') {
      const v4 = embeddedIPv4(address);
      if (v4) return this.categorize(v4);
    }
    return undefined;
  }

  /** Whether the service may connect to this (already resolved) IP address. */
  check(address: string): AddressVerdict {
    if (!net.isIP(address)) throw new Error(`not an IP address: ${address}`);
    const family = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const category = this.categorize(address);
    if (this.allowList.check(address, family)) return { allowed: true, category };
    const v4 = family === 'ipv6' ? embeddedIPv4(address) : undefined;
    if (v4 && this.allowList.check(v4, 'ipv4')) return { allowed: true, category };
    if (category === undefined) return { allowed: true };
    if (this.allowPrivate && PRIVATE_CATEGORIES.has(category)) return { allowed: true, category };
    return { allowed: false, category };
  }
}

/** A policy that allows everything: the CLI's default, where the user is the operator. */
export const ALLOW_ALL = {
  check: (_address: string): AddressVerdict => ({ allowed: true }),
};

export type AddressChecker = Pick<AddressPolicy, 'check'>;
