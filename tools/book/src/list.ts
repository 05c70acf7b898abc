/** The index as a table (one line a book file, grouped by chapter) or as JSON. */
import { commandLine, shortName } from './catalog.js';
import type { BookRow } from './rows.js';

const CHAPTERS: Record<number, string> = {
  0: "the book repository's tooling",
  1: 'Introduction to client-server networking',
  2: 'UDP',
  3: 'TCP',
  4: 'Socket names and DNS',
  5: 'Network data and network errors',
  6: 'TLS/SSL',
  7: 'Server architecture',
  8: 'Caches and message queues',
  9: 'HTTP clients',
  10: 'HTTP servers',
  11: 'The World Wide Web',
  12: 'Building and parsing e-mail',
  13: 'SMTP',
  14: 'POP',
  15: 'IMAP',
  16: 'Telnet and SSH',
  17: 'FTP',
  18: 'RPC',
};

function what(row: BookRow): string {
  if (row.status === 'ours') return commandLine(row);
  return `(${row.status}) ${row.note ?? ''}`;
}

/** The table `fopnp-book list` prints. */
export function formatIndex(rows: readonly BookRow[], options: { differences?: boolean } = {}): string {
  const width = Math.max(...rows.map((r) => shortName(r.file).length));
  const lines: string[] = [];
  let chapter = -1;
  for (const row of [...rows].sort((a, b) => (a.chapter || 99) - (b.chapter || 99))) {
    if (row.chapter !== chapter) {
      chapter = row.chapter;
      lines.push('', chapter ? `Chapter ${chapter}: ${CHAPTERS[chapter] ?? ''}` : `Other: ${CHAPTERS[0]}`);
    }
    lines.push(`  ${shortName(row.file).padEnd(width)}  ${what(row)}`);
    if (row.readme) lines.push(`  ${''.padEnd(width)}    see ${row.readme}`);
    if (options.differences && row.differences)
      lines.push(`  ${''.padEnd(width)}    differs: ${row.differences}`);
  }
  const count = (s: BookRow['status']) => rows.filter((r) => r.status === s).length;
  lines.push(
    '',
    `${rows.length} book files: ${count('ours')} with a command here, ${count('missing')} missing, ${count('library')} modules or notes, ${count('not-rebuilt')} not rebuilt on purpose, ${count('outside')} in chapters outside the project`,
  );
  return `${lines.join('\n').trimStart()}\n`;
}
