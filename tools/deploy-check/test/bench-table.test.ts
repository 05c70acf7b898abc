/**
 * The root README's "Last `pnpm bench`" table is the one the last run wrote
 * (bench-results/last-run.md, by scripts/bench-all.mjs), with its date and load: checked on
 * the files, never by running the benchmarks here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../src/manifests.ts';

const START = '<!-- pnpm bench: last run (written by scripts/bench-all.mjs) -->';
const END = '<!-- pnpm bench: end -->';

it("shows the last pnpm bench run's table in the root README, as written", () => {
  const written = readFileSync(path.join(REPO_ROOT, 'bench-results', 'last-run.md'), 'utf8');
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const shown = readme.slice(readme.indexOf(START) + START.length, readme.indexOf(END));
  expect(readme.indexOf(START)).toBeGreaterThan(0);
  expect(shown.trim()).toBe(written.trim());
  expect(written).toMatch(
    /^Run of \d{4}-\d\d-\d\d \d\d:\d\d UTC, load average [\d.]+ before and [\d.]+ after/,
  );
  expect(written).toMatch(/\n\| package \| command \| exit \| seconds \| last line it printed \|\n/);
});
