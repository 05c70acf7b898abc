import { describe, expect, it } from 'vitest';
import { createStrategy, fnv1a32 } from '../src/sharding/strategies.js';
import {
  ketamaPlacement,
  ketamaPointsPerServer,
  modulaPlacement,
  twemproxyOrder,
} from '../src/sharding/twemproxy.js';
import { ketamaPoints, TWEMPROXY_HASHES, twemproxyHash } from '../src/sharding/twemproxy-hash.js';

describe("twemproxy's hash functions", () => {
  it('give the values twemproxy\'s own test_all.c expects for "apple" (libmemcached\'s hash_results.h)', () => {
    const expected: Record<string, number> = {
      one_at_a_time: 2297466611,
      md5: 3195025439,
      crc16: 3662830516,
      crc32: 10542,
      crc32a: 2838417488,
      fnv1_64: 473199127,
      fnv1a_64: 1488911807,
      fnv1_32: 67176023,
      fnv1a_32: 280767167,
      hsieh: 3738850110,
      murmur: 4142305122,
      jenkins: 1442444624,
    };
    expect(Object.keys(expected).sort()).toEqual([...TWEMPROXY_HASHES].sort());
    for (const name of TWEMPROXY_HASHES)
      expect(twemproxyHash(name)(Buffer.from('apple')), name).toBe(expected[name]);
  });

  it('split one MD5 digest into four ring points, as ketama_hash() does for "server1-8"', () => {
    const points = ketamaPoints('server1-8');
    expect(points[0]).toBe(3853726576);
    expect(points[3]).toBe(2667054752);
  });

  it('read bytes >= 0x80 as signed char: fnv1a_32 differs from textbook FNV-1a only on non-ASCII keys', () => {
    const fnv = twemproxyHash('fnv1a_32');
    expect(fnv(Buffer.from('plain ascii'))).toBe(fnv1a32('plain ascii'));
    expect(fnv(Buffer.from('clé'))).not.toBe(fnv1a32('clé'));
    // ...but only above the low bits: 0xffffffe9 and 0xe9 share their low 8, and XOR and
    // multiply carry differences upwards only. So hash mod 2^k (4 servers) still agrees.
    expect(fnv(Buffer.from('clé')) & 0xff).toBe(fnv1a32('clé') & 0xff);
  });

  it('refuse a hash twemproxy does not have', () => {
    expect(() => twemproxyHash('sha1' as never)).toThrow(/twemproxy's are one_at_a_time, md5/);
  });
});

describe("twemproxy's placement", () => {
  it('gives 160 points per server at equal weights, and loses points to float rounding otherwise', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 10, 33]) expect(ketamaPointsPerServer(1, n, n)).toBe(160);
    // weights 1,2,1,3: 22.857.. and 45.714.. points per 4 floor to 22 and 45 digests (88, 180 points).
    expect([1, 2, 1, 3].map((w) => ketamaPointsPerServer(w, 7, 4))).toEqual([88, 180, 88, 272]);
  });

  it('counts modula servers in name order (shorter first, then bytewise), not list order', () => {
    const names = ['web-d', 'web-c', 'b', 'web-a'];
    expect(twemproxyOrder(names.map((name) => ({ name })))).toEqual([2, 3, 1, 0]);
    // Default names keep numeric order past 9, because shorter names sort first.
    const twelve = Array.from({ length: 12 }, (_, i) => ({ name: `server${i}` }));
    expect(twemproxyOrder(twelve)).toEqual([...Array(12).keys()]);
  });

  it('puts every key on the one server of a one-server pool, and an empty key at hash 0', () => {
    expect(ketamaPlacement([{ name: 'only' }]).indexOf('anything')).toBe(0);
    expect(modulaPlacement([{ name: 'a' }, { name: 'b' }]).indexOf('')).toBe(0);
  });

  it('is our default ketama with md5 and servers named server0..N-1', () => {
    const ours = createStrategy('ketama', 5);
    const theirs = ketamaPlacement(
      Array.from({ length: 5 }, (_, i) => ({ name: `server${i}` })),
      'md5',
    );
    for (let i = 0; i < 2000; i++) expect(ours.shardFor(`k${i}`)).toBe(theirs.indexOf(`k${i}`));
  });

  it('refuses names or weights that do not match the shards', () => {
    expect(() => createStrategy('ketama', 3, { names: ['a', 'b'] })).toThrow(/2 names for 3 shards/);
    expect(() => createStrategy('modula', 2, { weights: [1, 0] })).toThrow(/weight must be an integer >= 1/);
  });
});
