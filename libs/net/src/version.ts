/**
 * `--version` of every CLI: the version in the package.json of the package the running
 * program belongs to (each service's bin is `dist/src/cli.js` inside its package).
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** The `version` of the nearest package.json at or above `file`; undefined if none. */
export function packageVersionOf(file: string): string | undefined {
  let dir: string;
  try {
    dir = path.dirname(realpathSync(file));
  } catch {
    return undefined;
  }
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no (readable) package.json here: look further up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
