/**
 * Looking rows up by the names a reader types (`ch07/client.py`, `chapter07/client.py`,
 * `7/client.py`, `client.py` when only one chapter has it) and turning the book's
 * arguments into our command's.
 */
import { InvalidConfigError } from '@fopnp/net';
import { BOOK_ROWS, type BookRow } from './rows.js';

/** `chapter07/client.py` → `ch07/client.py` (how the list shows a file). */
export function shortName(file: string): string {
  return file.replace(/^chapter(\d+)\//, 'ch$1/');
}

function canonical(key: string): string {
  const m = /^(?:ch(?:apter)?)?0*(\d+)\/(.+)$/.exec(key.trim());
  if (!m) return key.trim();
  return `chapter${m[1]!.padStart(2, '0')}/${m[2]}`;
}

/** The row of a book file, or an error naming the closest ones. */
export function findRow(key: string, rows: readonly BookRow[] = BOOK_ROWS): BookRow {
  const want = canonical(key);
  const exact = rows.find((r) => r.file === want);
  if (exact) return exact;
  const byName = rows.filter((r) => r.file.split('/').pop() === want);
  if (byName.length === 1) return byName[0]!;
  const hint = byName.length
    ? `it is in several chapters: ${byName.map((r) => shortName(r.file)).join(', ')}`
    : "run `fopnp-book list` for the book's files";
  throw new InvalidConfigError('FILE', `no book program "${key}"; ${hint}`);
}

/** Our command line for a row and the book's arguments: `{ service, argv }`. */
export function counterpartArgs(
  row: BookRow,
  bookArgs: readonly string[],
): { service: string; argv: string[] } {
  const cmd = row.command;
  if (row.status !== 'ours' || !cmd) {
    throw new InvalidConfigError(
      'FILE',
      `${shortName(row.file)} has no counterpart here (${row.status}): ${row.note ?? 'see the list'}`,
    );
  }
  const args = bookArgs.length ? bookArgs : (row.example ?? []);
  if (cmd.roles) {
    const [role, ...rest] = args;
    const mapped = role === undefined ? undefined : cmd.roles[role];
    if (!mapped) {
      throw new InvalidConfigError(
        'ROLE',
        `${shortName(row.file)} takes a role first, as the book's does: ${Object.keys(cmd.roles).join(' or ')}${role ? ` (got "${role}")` : ''}`,
      );
    }
    return { service: cmd.service, argv: [...mapped, ...rest] };
  }
  return { service: cmd.service, argv: [...(cmd.prefix ?? []), ...args] };
}

/** The command as a user would type it: `zen-asyncio client 127.0.0.1`. */
export function commandLine(row: BookRow): string {
  const cmd = row.command;
  if (!cmd) return '';
  if (cmd.roles) {
    return Object.entries(cmd.roles)
      .map(([role, argv]) => `${role}: ${[cmd.service, ...argv].join(' ')}`)
      .join('; ');
  }
  return [cmd.service, ...(cmd.prefix ?? [])].join(' ');
}
