/**
 * bookProgram and patchedBookProgram: the book's files are read from ../shared/peers/fopnp-py3
 * beside the repository, and a patch that no longer matches the book's text is an error.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bookProgram, patchedBookProgram, run } from '../src/testing/index.js';

describe('bookProgram', () => {
  it("resolves the book's unchanged file beside the repository", () => {
    const file = bookProgram('chapter03/tcp_sixteen.py');
    expect(file).toMatch(/shared\/peers\/fopnp-py3\/chapter03\/tcp_sixteen\.py$/);
    expect(readFileSync(file, 'utf8')).toContain("sock.sendall(b'Hi there, server')");
  });

  it('names a file missing from the book', () => {
    expect(() => bookProgram('chapter03/no_such.py')).toThrow(
      /no_such\.py is missing from the book's programs/,
    );
  });

  it('patches a copy, leaving the book file as it is, and refuses a patch that does not match', async () => {
    const book = bookProgram('chapter03/tcp_sixteen.py');
    const before = readFileSync(book, 'utf8');
    const copy = patchedBookProgram('chapter03/tcp_sixteen.py', [
      ["description='Send and receive over TCP'", "description='patched by the test'"],
    ]);
    expect(copy).not.toBe(book);
    const help = await run('python3', [copy, '--help'], { timeoutMs: 10_000 });
    expect(help.stdout).toContain('patched by the test');
    expect(readFileSync(book, 'utf8')).toBe(before);
    expect(() => patchedBookProgram('chapter03/tcp_sixteen.py', [['not in the book', 'x']])).toThrow(
      /no longer contains "not in the book"/,
    );
  });
});
