/**
 * The book's own chapter 8 hashing.py (../shared/peers/fopnp-py3, run with Debian's
 * /usr/bin/python3) against our strategies: its alpha_shard word by word, and its whole
 * program's alpha and md5 tables over our shipped word list.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { distribution } from '../src/sharding/analysis.js';
import { alphaStrategy } from '../src/sharding/strategies.js';
import { loadWords, shippedWordsPath } from '../src/sharding/words.js';

const CHAPTER08 = fileURLToPath(new URL('../../../../shared/peers/fopnp-py3/chapter08/', import.meta.url));
const HASHING = join(CHAPTER08, 'hashing.py');
const PYTHON = '/usr/bin/python3';
const tmp = mkdtempSync(join(tmpdir(), 'redis-cache-book-hashing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** First characters the old `else` branch sent to the last server, whatever they were. */
const TRICKY = [
  '42nd',
  '0',
  '9lives',
  '_private',
  '-dash',
  "'tis",
  '.hidden',
  '@home',
  '`tick',
  '[x',
  'Zebra',
  'Apple',
  '{brace',
  '|pipe',
  '~tilde',
  'éclair',
  'Ångström',
  'ßtraße',
  'жук',
  '日本',
  '😀smile',
  'apple',
  'fig',
  'grape',
  'mango',
  'nut',
  'sage',
  'tea',
  'zebra',
];

describe("the book's hashing.py run by /usr/bin/python3", () => {
  it('has the book program and the interpreter to run it', () => {
    expect(existsSync(HASHING), `${HASHING} (the book's programs beside the repository)`).toBe(true);
    expect(existsSync(PYTHON)).toBe(true);
  });

  it('alpha_shard(word.lower()) picks the same server as our alpha for digits, punctuation, _ and non-ASCII', async () => {
    // The book's module imported unchanged; its main only runs as __main__.
    const script = [
      'import sys',
      `sys.path.insert(0, ${JSON.stringify(CHAPTER08)})`,
      'from hashing import alpha_shard',
      'for word in sys.stdin.read().split("\\n"):',
      '    if word: print(alpha_shard(word.lower()))',
    ].join('\n');
    const r = await run(PYTHON, ['-c', script], {
      input: `${TRICKY.join('\n')}\n`,
      env: { PYTHONIOENCODING: 'utf-8' },
    });
    expect(r.code, r.stderr).toBe(0);
    const book = r.stdout.trim().split('\n');
    const ours = TRICKY.map((w) => `server${alphaStrategy(4).shardFor(w)}`);
    expect(Object.fromEntries(TRICKY.map((w, i) => [w, ours[i]]))).toEqual(
      Object.fromEntries(TRICKY.map((w, i) => [w, book[i]])),
    );
    // The old code sent these to server3; the book sends them to server0.
    for (const w of ['42nd', '_private', "'tis", '`tick']) expect(alphaStrategy(4).shardFor(w), w).toBe(0);
  });

  it("the book's program prints the alpha and md5 tables our distribution computes for the same words", async () => {
    // Patched copy: the word list path only (the book reads /usr/share/dict/words, which
    // this machine may lack); our shipped list has digits, apostrophes and accents too.
    const words = loadWords(shippedWordsPath());
    const source = readFileSync(HASHING, 'utf8');
    expect(source).toContain("open('/usr/share/dict/words')");
    const patched = join(tmp, 'hashing.py');
    writeFileSync(
      patched,
      source.replace(
        "open('/usr/share/dict/words')",
        `open(${JSON.stringify(shippedWordsPath())}, encoding='utf-8')`,
      ),
    );
    const r = await run(PYTHON, [patched], { env: { PYTHONIOENCODING: 'utf-8' } });
    expect(r.code, r.stderr).toBe(0);
    const tables = new Map<string, number[]>();
    for (const block of r.stdout.trim().split(/\n\s*\n/)) {
      const [name, ...rows] = block.trim().split('\n');
      tables.set(
        name!.trim(),
        rows.map((row) => Number(row.trim().split(/\s+/)[1])),
      );
    }
    expect(tables.get('alpha')).toEqual(distribution('alpha', 4, words).counts);
    expect(tables.get('md5')).toEqual(
      distribution(
        'md5',
        4,
        words.map((w) => w.toLowerCase()),
      ).counts,
    );
  });
});
