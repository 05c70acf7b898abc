import { describe, expect, it } from 'vitest';
import { AddressPolicy } from '../src/address-policy.js';

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
    ['169.254.169.254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['fd12:3456::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['2002:7f00:1::', 'loopback'],
  ])('refuses %s as %s by default', (address, category) => {
    expect(strict.check(address)).toEqual({ allowed: false, category });
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111'])(
    'allows the public address %s',
    (address) => {
      expect(strict.check(address)).toEqual({ allowed: true });
    },
  );

  it('opens loopback, private, link-local and CGNAT with allowPrivate, but never metadata', () => {
    const p = new AddressPolicy({ allowPrivate: true });
    for (const a of ['127.0.0.1', '10.2.3.4', '169.254.1.1', '100.64.1.1', 'fd00::5', '::1']) {
      expect(p.check(a).allowed).toBe(true);
    }
    expect(p.check('169.254.169.254')).toEqual({ allowed: false, category: 'metadata' });
    expect(p.check('224.0.0.1')).toEqual({ allowed: false, category: 'multicast' });
  });

  it('opens exactly the allow-listed CIDRs, IPv4-mapped forms included', () => {
    const p = new AddressPolicy({ allowCidrs: ['127.0.0.0/8', '10.1.0.0/16'] });
    expect(p.check('127.0.0.1')).toEqual({ allowed: true, category: 'loopback' });
    expect(p.check('::ffff:127.0.0.1').allowed).toBe(true);
    expect(p.check('10.1.200.3').allowed).toBe(true);
    expect(p.check('10.2.0.1')).toEqual({ allowed: false, category: 'private' });
    expect(p.check('::1')).toEqual({ allowed: false, category: 'loopback' });
  });

  it('rejects a malformed CIDR at construction, naming it', () => {
    expect(() => new AddressPolicy({ allowCidrs: ['10.0.0.0/33'] })).toThrow(/invalid CIDR "10.0.0.0\/33"/);
    expect(() => new AddressPolicy({ allowCidrs: ['example.com/8'] })).toThrow(/invalid CIDR/);
  });
});
