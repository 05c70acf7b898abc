/**
 * pino-pretty is for people at a terminal: a checkout has it (a development dependency) and
 * `serve` on a terminal prints readable lines; no package's production dependencies pull it,
 * so `pnpm deploy --prod` leaves it (and its 17 packages) out of every image, where the
 * logger writes JSON lines whatever the terminal.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { prettyInstalled } from '../src/logger.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('pino-pretty', () => {
  it('is installed in a checkout, where a terminal gets readable lines', () => {
    expect(prettyInstalled()).toBe(true);
  });

  it('is in no production dependencies of a library or service (so in no image)', () => {
    const packages = ['libs', 'services'].flatMap((d) =>
      readdirSync(join(ROOT, d)).map((name) => join(ROOT, d, name, 'package.json')),
    );
    const shipping = packages.filter((file) => {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: Record<string, string> };
        return 'pino-pretty' in (pkg.dependencies ?? {});
      } catch {
        return false;
      }
    });
    expect(shipping).toEqual([]);
  });
});
