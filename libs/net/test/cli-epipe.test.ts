/**
 * A CLI's output piped into a reader that leaves early (`| head`): the command stops at
 * once, quietly, with the status a shell gives SIGPIPE (141), not an unhandled EPIPE stack.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../src/testing/index.js';

const script = fileURLToPath(new URL('./fixtures/chatty-cli.mjs', import.meta.url));

describe('a CLI whose reader goes away', () => {
  it('exits 141 without a word on stderr when `head` closes the pipe', async () => {
    const r = await run(
      '/bin/bash',
      ['-c', `"${process.execPath}" "${script}" lines | head -1; echo "status \${PIPESTATUS[0]}" >&2`],
      { timeoutMs: 60_000 },
    );
    expect(r.stdout).toBe('line 0\n');
    expect(r.stderr).toBe('status 141\n');
  });
});
