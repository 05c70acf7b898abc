import { describe, expect, it } from 'vitest';
import { AddressPolicy } from '../src/address-policy.js';
import { IPV4_SPECIAL, IPV6_SPECIAL } from '../src/special-addresses.js';

describe('AddressPolicy', () => {
  const strict = new AddressPolicy();

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.10', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['169.254.10.10', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.23', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['fd12:3456::1', 'unique-local'],
    ['fec0::1', 'reserved'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001:2::1', 'reserved'],
    ['100::1', 'reserved'],
    ['192.88.99.1', 'reserved'],
  ])('refuses %s as %s by default', (address, category) => {
    expect(strict.check(address)).toEqual({ allowed: false, category });
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '192.0.0.9',
    '192.31.196.1',
    '2606:4700::1111',
    '2001:4:112::1',
    '2001:3::1',
  ])('allows the public address %s', (address) => {
    expect(strict.check(address)).toEqual({ allowed: true });
  });

  it('classifies the first address of every registry entry as that entry says (no entry hidden by another)', () => {
    // 2001::/23's first address is Teredo's (2001::/32), listed before it.
    const inside: Record<string, string> = { '2001::/23': '2001:100::1' };
    for (const entry of [...IPV4_SPECIAL, ...IPV6_SPECIAL]) {
      if (!('category' in entry)) continue;
      const address = inside[entry.cidr] ?? entry.cidr.split('/')[0]!;
      expect([entry.cidr, strict.categorize(address)]).toEqual([entry.cidr, entry.category ?? undefined]);
    }
  });

  it('opens loopback, private, link-local and CGNAT with allowPrivate, but never metadata', () => {
    const p = new AddressPolicy({ allowPrivate: true });
    for (const a of [
      '127.0.0.1',
      '10.2.3.4',
      '169.254.1.1',
      '100.64.1.1',
      'fd00::5',
      '::1',
      '::ffff:0:10.0.0.1',
    ]) {
      expect(p.check(a).allowed).toBe(true);
    }
    expect(p.check('169.254.169.254')).toEqual({ allowed: false, category: 'metadata' });
    expect(p.check('64:ff9b::a9fe:a9fe')).toEqual({ allowed: false, category: 'metadata' });
    expect(p.check('::169.254.169.254')).toEqual({ allowed: false, category: 'metadata' });
    expect(p.check('224.0.0.1')).toEqual({ allowed: false, category: 'multicast' });
    expect(p.check('64:ff9b:1::7f00:1')).toEqual({ allowed: false, category: 'reserved' });
  });

  it('opens exactly the allow-listed CIDRs, IPv4-mapped forms included', () => {
    const p = new AddressPolicy({ allowCidrs: ['127.0.0.0/8', '10.1.0.0/16'] });
    expect(p.check('127.0.0.1')).toEqual({ allowed: true, category: 'loopback' });
    expect(p.check('::ffff:127.0.0.1').allowed).toBe(true);
    expect(p.check('::ffff:0:127.0.0.1').allowed).toBe(true);
    expect(p.check('10.1.200.3').allowed).toBe(true);
    expect(p.check('10.2.0.1')).toEqual({ allowed: false, category: 'private' });
    expect(p.check('::1')).toEqual({ allowed: false, category: 'loopback' });
    expect(p.check('::ffff:10.2.0.1')).toEqual({ allowed: false, category: 'private' });
  });

  it('rejects a malformed CIDR at construction, naming it', () => {
    expect(() => new AddressPolicy({ allowCidrs: ['10.0.0.0/33'] })).toThrow(/invalid CIDR "10.0.0.0\/33"/);
    expect(() => new AddressPolicy({ allowCidrs: ['example.com/8'] })).toThrow(/invalid CIDR/);
    expect(() => new AddressPolicy({ allowCidrs: ['1::2::3/64'] })).toThrow(/invalid CIDR/);
  });
});

/**
 * Every IPv6 form that carries an IPv4 address, built here from the RFCs' layouts (not with
 * the code under test), filled with one refused IPv4 address of each kind.
 */
const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
const octets = (v4: string) => v4.split('.').map(Number) as [number, number, number, number];
const FORMS: [string, (v4: string) => string][] = [
  ['IPv4-mapped ::ffff:a.b.c.d (RFC 4291)', (v4) => `::ffff:${v4}`],
  [
    'IPv4-mapped, hex',
    (v4) =>
      `::ffff:${hex(...(octets(v4).slice(0, 2) as [number, number]))}:${hex(octets(v4)[2], octets(v4)[3])}`,
  ],
  ['IPv4-translated ::ffff:0:a.b.c.d (RFC 2765)', (v4) => `::ffff:0:${v4}`],
  ['IPv4-compatible ::a.b.c.d (RFC 4291, deprecated)', (v4) => `::${v4}`],
  ['NAT64 well-known 64:ff9b::/96 (RFC 6052)', (v4) => `64:ff9b::${v4}`],
  ['local-use NAT64 64:ff9b:1::/96 (RFC 8215)', (v4) => `64:ff9b:1::${v4}`],
  [
    'local-use NAT64 at /64',
    (v4) => {
      const [a, b, c, d] = octets(v4);
      return `64:ff9b:1:0:${hex(0, a)}:${hex(b, c)}:${hex(d, 0)}:0`;
    },
  ],
  [
    'local-use NAT64 at /56',
    (v4) => {
      const [a, b, c, d] = octets(v4);
      return `64:ff9b:1:${hex(0, a)}:${hex(0, b)}:${hex(c, d)}::`;
    },
  ],
  [
    'local-use NAT64 at /48',
    (v4) => {
      const [a, b, c, d] = octets(v4);
      return `64:ff9b:1:${hex(a, b)}:${hex(0, c)}:${hex(d, 0)}::`;
    },
  ],
  [
    '6to4 2002::/16 (RFC 3056)',
    (v4) =>
      `2002:${hex(...(octets(v4).slice(0, 2) as [number, number]))}:${hex(octets(v4)[2], octets(v4)[3])}::1`,
  ],
  [
    'Teredo server (RFC 4380)',
    (v4) => {
      const [a, b, c, d] = octets(v4);
      return `2001:0:${hex(a, b)}:${hex(c, d)}:8000:63bf:f7f7:f7f7`; // client 8.8.8.8, inverted
    },
  ],
  [
    'Teredo client, inverted (RFC 4380)',
    (v4) => {
      const [a, b, c, d] = octets(v4).map((x) => x ^ 0xff) as [number, number, number, number];
      return `2001:0:4136:e378:8000:63bf:${hex(a, b)}:${hex(c, d)}`; // server 65.54.227.120
    },
  ],
  ['ISATAP interface id (RFC 5214)', (v4) => `2606:4700:1:0:0:5efe:${v4}`],
  ['ISATAP, universal bit', (v4) => `2606:4700:1:0:200:5efe:${v4}`],
];
const REFUSED_V4: [string, string][] = [
  ['127.0.0.1', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.20.1.2', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'metadata'],
  ['100.100.100.200', 'metadata'],
  ['169.254.1.1', 'link-local'],
  ['100.64.0.1', 'cgnat'],
  ['0.1.2.3', 'unspecified'],
  ['224.0.0.251', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.2.33', 'documentation'],
  ['198.18.0.1', 'reserved'],
];
const isLocalNat64 = (form: string) => form.startsWith('local-use NAT64');

describe('IPv6 forms that embed an IPv4 address', () => {
  const strict = new AddressPolicy();
  const cases = FORMS.flatMap(([form, make]) =>
    REFUSED_V4.map(([v4, category]) => [form, v4, make(v4), category] as const),
  );

  it.each(cases)('%s of %s (%s) is refused as %s', (form, _v4, address, category) => {
    // A local-use NAT64 address is never globally reachable: refused as reserved (its prefix
    // length, and so where the IPv4 address sits, is the operator's), or as metadata.
    const expected = isLocalNat64(form) && category !== 'metadata' ? 'reserved' : category;
    expect(strict.check(address)).toEqual({ allowed: false, category: expected });
  });

  it.each(FORMS)('%s of a public address is judged as that address', (form, make) => {
    const address = make('93.184.215.14');
    expect(strict.check(address)).toEqual(
      isLocalNat64(form) ? { allowed: false, category: 'reserved' } : { allowed: true },
    );
  });
});
