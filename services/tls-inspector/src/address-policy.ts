/**
 * Which addresses the HTTP service may connect to. It connects to hosts its users name, so
 * without this it would be an open proxy into the network it runs in (SSRF): the cloud
 * metadata endpoint, the cluster's private services, the machine's own loopback ports.
 * The check runs on every *resolved* address, and the connection then goes to that very
 * address (SNI carries the name), so a DNS answer that changes between check and connect
 * (rebinding) cannot slip past it. The tables are in special-addresses.ts.
 */
import {
  type AddressCategory,
  type Cidr,
  type Embedding,
  IPV4_SPECIAL,
  IPV6_SPECIAL,
  inCidr,
  ipBytes,
  isatapIPv4,
  parseCidr,
  type SpecialRange,
} from './special-addresses.js';

export type { AddressCategory } from './special-addresses.js';

/** Categories that ALLOW_PRIVATE=true opens; metadata and the rest stay closed. */
const PRIVATE_CATEGORIES: ReadonlySet<AddressCategory> = new Set([
  'loopback',
  'private',
  'link-local',
  'cgnat',
  'unique-local',
]);

export interface AddressPolicyOptions {
  /** Allow loopback, RFC 1918, link-local, CGNAT and unique-local addresses (never metadata). @default false */
  allowPrivate?: boolean;
  /** CIDRs allowed whatever their category, e.g. "127.0.0.0/8" or "10.1.0.0/16". @default [] */
  allowCidrs?: readonly string[];
}

export type AddressVerdict =
  | { allowed: true; category?: AddressCategory }
  | { allowed: false; category: AddressCategory };

type Entry = { cidr: Cidr; range?: SpecialRange; embedding?: Embedding };
const compile = (list: readonly (SpecialRange | Embedding)[]): Entry[] =>
  list.map((e) =>
    'extract' in e ? { cidr: parseCidr(e.cidr), embedding: e } : { cidr: parseCidr(e.cidr), range: e },
  );
const IPV4_TABLE = compile(IPV4_SPECIAL);
const IPV6_TABLE = compile(IPV6_SPECIAL);

/** Which of several refusals to report: metadata first, then what ALLOW_PRIVATE cannot open. */
function rank(category: AddressCategory): number {
  if (category === 'metadata') return 0;
  return PRIVATE_CATEGORIES.has(category) ? 2 : 1;
}

export class AddressPolicy {
  private readonly allowList: Cidr[];
  private readonly allowPrivate: boolean;

  constructor(options: AddressPolicyOptions = {}) {
    this.allowPrivate = options.allowPrivate ?? false;
    this.allowList = (options.allowCidrs ?? []).map(parseCidr);
  }

  /** The special-purpose category of an IP address, or undefined for an ordinary public one. */
  categorize(address: string): AddressCategory | undefined {
    return STRICT.check(address).category;
  }

  /** Whether the service may connect to this (already resolved) IP address. */
  check(address: string): AddressVerdict {
    const bytes = ipBytes(address);
    if (!bytes) throw new Error(`not an IP address: ${address}`);
    return this.judge(bytes);
  }

  private judge(bytes: Uint8Array): AddressVerdict {
    if (this.allowList.some((c) => inCidr(bytes, c))) {
      const category = this === STRICT ? undefined : STRICT.judge(bytes).category;
      return category ? { allowed: true, category } : { allowed: true };
    }
    const entry = (bytes.length === 4 ? IPV4_TABLE : IPV6_TABLE).find((e) => inCidr(bytes, e.cidr));
    let verdict: AddressVerdict;
    if (entry?.embedding)
      verdict = this.judgeEmbedded(entry.embedding.extract(bytes), entry.embedding.otherwise);
    else verdict = this.byCategory(entry?.range?.category ?? undefined);
    const isatap = bytes.length === 16 && verdict.allowed ? isatapIPv4(bytes) : undefined;
    return isatap ? this.judgeEmbedded([isatap]) : verdict;
  }

  /**
   * An address carrying IPv4 addresses is refused when any of them is (reported by rank). A
   * form with its own category (local-use NAT64, whose readings at the possible prefix lengths
   * are mostly noise) is refused as that category, or as metadata when a reading is metadata.
   */
  private judgeEmbedded(readings: Uint8Array[], otherwise?: AddressCategory): AddressVerdict {
    const verdicts = readings.map((r) => this.judge(r));
    const refused = verdicts
      .filter((v): v is Extract<AddressVerdict, { allowed: false }> => !v.allowed)
      .sort((a, b) => rank(a.category) - rank(b.category));
    const worst = refused[0];
    if (otherwise) return worst?.category === 'metadata' ? worst : this.byCategory(otherwise);
    return worst ?? verdicts.find((v) => v.category) ?? { allowed: true };
  }

  private byCategory(category: AddressCategory | undefined): AddressVerdict {
    if (category === undefined) return { allowed: true };
    if (this.allowPrivate && PRIVATE_CATEGORIES.has(category)) return { allowed: true, category };
    return { allowed: false, category };
  }
}

const STRICT = new AddressPolicy();

/** A policy that allows everything: the CLI's default, where the user is the operator. */
export const ALLOW_ALL = {
  check: (_address: string): AddressVerdict => ({ allowed: true }),
};

export type AddressChecker = Pick<AddressPolicy, 'check'>;
