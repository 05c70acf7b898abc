import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { run } from '@fopnp/net/testing';
import { describe, expect, it } from 'vitest';
import { counterpartArgs, findRow } from '../src/catalog.js';
import { BOOK_ROWS } from '../src/rows.js';
import { cliOf } from '../src/run.js';
import { CHECKS, UNCHECKED } from './checks.js';
import { BOOK, BOOK_CLI, REPO } from './harness.js';

function pythonFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(full).isDirectory()) return pythonFiles(full, rel);
    return name.endsWith('.py') ? [rel] : [];
  });
}

/** GitHub's anchor for a Markdown heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

describe('the book index', () => {
  it("has one row for every .py file under the book's folder, and none for a file it lacks", () => {
    const files = pythonFiles(BOOK).sort();
    expect(files.length).toBeGreaterThan(100);
    const rows = BOOK_ROWS.map((r) => r.file).sort();
    expect(new Set(rows).size, 'a file has two rows').toBe(rows.length);
    expect(rows).toEqual(files);
  });

  it('gives every row without a command its reason, and every row with one its README page', () => {
    for (const row of BOOK_ROWS) {
      if (row.status === 'ours') {
        expect(row.command, row.file).toBeDefined();
        expect(row.readme, row.file).toMatch(/\.md#.+/);
      } else {
        expect(row.command, `${row.file} is ${row.status} but names a command`).toBeUndefined();
        expect(row.note, `${row.file} is ${row.status}: say why`).toBeTruthy();
      }
    }
  });

  it('names README pages and headings that exist', () => {
    for (const row of BOOK_ROWS.filter((r) => r.readme)) {
      const [file, anchor] = row.readme!.split('#');
      const text = readFileSync(path.join(REPO, file!), 'utf8');
      const anchors = [...text.matchAll(/^#+\s+(.+)$/gm)].map((m) => slug(m[1]!));
      expect(anchors, `${row.file}: ${row.readme}`).toContain(anchor);
    }
  });

  it("maps each row's command onto a built CLI whose subcommand exists", { timeout: 120_000 }, async () => {
    const commands = new Map<string, string[]>();
    for (const row of BOOK_ROWS.filter((r) => r.status === 'ours')) {
      const roles = row.command!.roles ? Object.keys(row.command!.roles) : [undefined];
      for (const role of roles) {
        const { service, argv } = counterpartArgs(row, role ? [role, '127.0.0.1'] : (row.example ?? []));
        commands.set(`${service} ${argv[0]}`, [...(commands.get(`${service} ${argv[0]}`) ?? []), row.file]);
      }
    }
    const results = await Promise.all(
      [...commands.keys()].map(async (command) => {
        const [service, sub] = command.split(' ') as [string, string];
        return {
          command,
          help: await run(process.execPath, [cliOf(service), sub, '--help'], { timeoutMs: 60_000 }),
        };
      }),
    );
    for (const { command, help } of results) {
      expect(help.code, `${command} --help (for ${commands.get(command)!.join(', ')})\n${help.stderr}`).toBe(
        0,
      );
    }
  });

  it('runs each row with a command beside the book program (test/pairs.test.ts), or says why not', () => {
    for (const row of BOOK_ROWS.filter((r) => r.status === 'ours')) {
      const checked = (CHECKS[row.file]?.length ?? 0) > 0;
      expect(checked || Boolean(UNCHECKED[row.file]), `${row.file}: no check and no reason`).toBe(true);
      expect(checked && Boolean(UNCHECKED[row.file]), `${row.file}: both checked and excused`).toBe(false);
    }
    for (const file of [...Object.keys(CHECKS), ...Object.keys(UNCHECKED)]) {
      expect(findRow(file).status, file).toBe('ours');
    }
  });

  it('finds a row by ch07/client.py, chapter07/client.py, 7/client.py or a file name only one chapter has', () => {
    for (const key of ['ch07/client.py', 'chapter07/client.py', '7/client.py', 'client.py']) {
      expect(findRow(key).file).toBe('chapter07/client.py');
    }
    expect(() => findRow('ch07/nothing.py')).toThrow(/no book program "ch07\/nothing.py"/);
  });
});

describe('fopnp-book', () => {
  it('lists every book file with its command or why it has none', async () => {
    const r = await run(process.execPath, [BOOK_CLI]);
    expect(r.code).toBe(0);
    for (const row of BOOK_ROWS) expect(r.stdout).toContain(row.file.replace(/^chapter(\d+)\//, 'ch$1/'));
    expect(r.stdout).toMatch(
      /ch07\/client\.py\s+zen-asyncio client\n\s+see services\/zen-asyncio\/README\.md#usage/,
    );
    expect(r.stdout).toMatch(/ch07\/srv_legacy1\.py\s+\(missing\)/);
    expect(r.stdout).toMatch(/^\d+ book files: \d+ with a command here/m);
  });

  it('refuses to run a row that has no counterpart, saying why, with exit 2', async () => {
    const r = await run(process.execPath, [BOOK_CLI, 'run', 'ch07/srv_legacy1.py', '127.0.0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ch07\/srv_legacy1\.py has no counterpart here \(missing\)/);
  });

  it('asks for the role a two-role book program takes', async () => {
    const r = await run(process.execPath, [BOOK_CLI, 'run', 'ch03/tcp_sixteen.py', 'listen', '127.0.0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('tcp_sixteen.py takes a role first');
  });
});
