import { stopAll } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from './checks.js';
import { cleanPatched, runCheck } from './harness.js';

afterAll(async () => {
  await stopAll();
  cleanPatched();
});

for (const [row, checks] of Object.entries(CHECKS)) {
  describe(`${row}: the book's program and fopnp-book run ${row}`, () => {
    for (const check of checks) {
      const title = check.knownFault ? `${check.title} (known fault: ${check.knownFault})` : check.title;
      (check.knownFault ? it.fails : it)(title, { timeout: 90_000 }, async () => {
        const { book, ours } = await runCheck(row, check);
        expect(book, "the book's output").toMatch(check.expect);
        expect(ours, 'our output').toMatch(check.expect);
        if (check.same !== false) expect(ours).toBe(book);
      });
    }
  });
}
