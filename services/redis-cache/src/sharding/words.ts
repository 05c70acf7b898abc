/**
 * The word list the explorer shards: the book used /usr/share/dict/words. On Debian that is
 * the `wamerican` package; without it we fall back to the list shipped in data/words.txt.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SYSTEM_WORDS = '/usr/share/dict/words';
/** data/words.txt of this package (src/ and dist/src/ both resolve it). */
export function shippedWordsPath(): string {
  for (const rel of ['../../data/words.txt', '../../../data/words.txt']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('data/words.txt is missing from the redis-cache package');
}

export function defaultWordsPath(): string {
  return existsSync(SYSTEM_WORDS) ? SYSTEM_WORDS : shippedWordsPath();
}

/** Words of a file, lower-cased like the book does (one per line or whitespace separated). */
export function loadWords(path: string = defaultWordsPath()): string[] {
  const text = readFileSync(path, 'utf8');
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}
