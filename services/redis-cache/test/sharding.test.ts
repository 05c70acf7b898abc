import { fileURLToPath } from 'node:url';
import { run } from '@fopnp/net/testing';
import { describe, expect, it } from 'vitest';
import { distribution, movement, movementForAll } from '../src/sharding/analysis.js';
import {
  alphaStrategy,
  createStrategy,
  fnv1a32,
  jumpHash,
  md5Strategy,
  STRATEGY_NAMES,
} from '../src/sharding/strategies.js';
import { loadWords, shippedWordsPath } from '../src/sharding/words.js';

// The shipped list, so these figures do not depend on whether wamerican is installed.
const words = loadWords(shippedWordsPath());

describe('the book hashing.py strategies', () => {
  it('alpha splits at the book letters for four servers: abcdef, ghijklm, nopqrs, tuvwxyz', () => {
    const s = alphaStrategy(4);
    expect(
      ['apple', 'fig', 'grape', 'mango', 'nut', 'sage', 'tea', 'zebra', '42nd', 'éclair'].map((w) =>
        s.shardFor(w),
      ),
    ).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 0, 3]);
  });

  it('md5 uses the last byte of the digest, as the book does', () => {
    // md5("hello") = 5d41402abc4b2a76b9719d911017c592; last byte 0x92 = 146
    expect(md5Strategy(4).shardFor('hello')).toBe(146 % 4);
    expect(md5Strategy(7).shardFor('hello')).toBe(146 % 7);
  });

  it('hash is FNV-1a, identical in every process (unlike Python salted hash())', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('jump hash matches published values and the paper code run by Python', async () => {
    expect(jumpHash(256n, 1024)).toBe(520);
    expect(jumpHash(2016238256797177309n, 11)).toBe(3);
    expect(jumpHash(10863919174838991n, 11)).toBe(6);
    const cases = Array.from({ length: 2000 }, (_, i) => {
      const key = BigInt.asUintN(64, BigInt(i + 1) * 0x9e3779b97f4a7c15n);
      return { key, buckets: 1 + (i % 97) * 11 };
    });
    const input = cases.map((c) => `${c.key} ${c.buckets}\n`).join('');
    const r = await run('python3', [fileURLToPath(new URL('./peers/jump_hash.py', import.meta.url))], {
      input,
    });
    expect(r.code).toBe(0);
    const expected = r.stdout.trim().split('\n').map(Number);
    expect(cases.map((c) => jumpHash(c.key, c.buckets))).toEqual(expected);
  });

  it('rejects a shard count outside 1..1024', () => {
    expect(() => createStrategy('md5', 0)).toThrow(/1\.\.1024/);
  });
});

describe('distribution of the word list over four servers', () => {
  it('is lopsided by first letter and even by every hash', () => {
    const alpha = distribution('alpha', 4, words);
    expect(alpha.maxOverIdeal).toBeGreaterThan(1.15);
    for (const s of ['hash', 'md5', 'jump'] as const) {
      const d = distribution(s, 4, words);
      expect(d.counts.reduce((a, b) => a + b, 0)).toBe(words.length);
      expect(d.maxOverIdeal, s).toBeLessThan(1.05);
    }
    // 160 ring points per server leave ketama a few percent uneven, still far better than alpha.
    expect(distribution('ketama', 4, words).maxOverIdeal).toBeLessThan(1.15);
  });
});

describe('keys that move when a fifth server joins four', () => {
  it('moves about 4/5 with modulo hashing and about 1/5 with consistent hashing', () => {
    const rows = Object.fromEntries(movementForAll(4, 5, words).map((m) => [m.strategy, m.share]));
    expect(rows.hash).toBeGreaterThan(0.75);
    expect(rows.hash).toBeLessThan(0.85);
    expect(rows.md5).toBeGreaterThan(0.75);
    expect(rows.md5).toBeLessThan(0.85);
    expect(rows.jump).toBeGreaterThan(0.17);
    expect(rows.jump).toBeLessThan(0.23);
    expect(rows.ketama).toBeGreaterThan(0.12);
    expect(rows.ketama).toBeLessThan(0.28);
    expect(Object.keys(rows)).toEqual([...STRATEGY_NAMES]);
  });

  it('moves keys only onto the new server under consistent hashing', () => {
    for (const name of ['ketama', 'jump'] as const) {
      const before = createStrategy(name, 4);
      const after = createStrategy(name, 5);
      for (const w of words) {
        const a = after.shardFor(w);
        if (a !== before.shardFor(w)) expect(a).toBe(4);
      }
    }
    expect(movement('jump', 4, 5, words).moved).toBeGreaterThan(0);
  });
});
