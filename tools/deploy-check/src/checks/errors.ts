/**
 * The error tables (`defineErrors` in each service's src/errors.ts, and the kit's own
 * NET_ERRORS) checked against the one prefix rule and against each README, as fastify's
 * errors test checks lib/errors.js against docs/Reference/Errors.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { codePrefix } from '@fopnp/net';

/** What a `defineErrors` table looks like from outside. */
export interface ErrorTableLike {
  service: string;
  prefix: string;
  entries(): { name: string; code: string; statusCode: number; exitCode: number }[];
}

function isErrorTable(v: unknown): v is ErrorTableLike {
  const t = v as Partial<ErrorTableLike> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.service === 'string' &&
    typeof t.prefix === 'string' &&
    typeof t.entries === 'function'
  );
}

/** Every error table a module exports (a service may split its errors into several). */
export async function errorTablesOf(file: string): Promise<ErrorTableLike[]> {
  if (!existsSync(file)) return [];
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  return [...new Set(Object.values(mod).filter(isErrorTable))];
}

/** `FOPNP_ERR_NAME` or `FOPNP_SERVICE_NAME_ERR_NAME`: upper snake case throughout. */
export const CODE_PATTERN = /^FOPNP_(?:[A-Z][A-Z0-9]*_)*ERR_[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/**
 * Problems with the codes of a set of tables, each owned by a service ('' for the kit):
 * a code that is not well formed, that does not carry its owner's prefix, that appears
 * twice anywhere, or an HTTP status / exit code out of range.
 */
export function checkErrorCodes(owned: { owner: string; tables: ErrorTableLike[] }[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const { owner, tables } of owned) {
    for (const table of tables) {
      if (table.service !== owner)
        problems.push(`${owner || 'libs/net'}: a table declared for "${table.service}"`);
      const prefix = codePrefix(owner);
      for (const e of table.entries()) {
        if (!CODE_PATTERN.test(e.code)) problems.push(`${e.code}: not of the form FOPNP_[SERVICE_]ERR_NAME`);
        if (!e.code.startsWith(prefix) || e.code.slice(prefix.length) !== e.name)
          problems.push(`${e.code}: expected ${prefix}${e.name}`);
        const other = seen.get(e.code);
        if (other !== undefined)
          problems.push(`${e.code}: declared by both ${other} and ${owner || 'libs/net'}`);
        seen.set(e.code, owner || 'libs/net');
        if (!Number.isInteger(e.statusCode) || e.statusCode < 100 || e.statusCode > 599)
          problems.push(`${e.code}: HTTP status ${e.statusCode} is not a status`);
        if (!Number.isInteger(e.exitCode) || e.exitCode < 1 || e.exitCode > 125)
          problems.push(`${e.code}: exit code ${e.exitCode} is not 1..125`);
      }
    }
  }
  return problems;
}

/** Codes written in backticks in a Markdown table row. */
export function codesInTables(markdown: string): Set<string> {
  const codes = new Set<string>();
  for (const line of markdown.split('\n')) {
    if (!line.trimStart().startsWith('|')) continue;
    for (const m of line.matchAll(/`(FOPNP_[A-Z0-9_]+)`/g)) codes.add(m[1]!);
  }
  return codes;
}

/**
 * Problems between a README and the tables of its owner: a declared code missing from the
 * README's tables, or a code with the owner's prefix the README names but no table declares.
 */
export function checkReadmeErrors(owner: string, tables: ErrorTableLike[], readme: string): string[] {
  const declared = new Set(tables.flatMap((t) => t.entries().map((e) => e.code)));
  const listed = codesInTables(readme);
  const problems: string[] = [];
  for (const code of declared)
    if (!listed.has(code)) problems.push(`${code}: declared but not in a table of the README`);
  const prefix = codePrefix(owner);
  for (const m of readme.matchAll(/\bFOPNP_[A-Z0-9_]+/g)) {
    const code = m[0];
    if (code.startsWith(prefix) && CODE_PATTERN.test(code) && !declared.has(code))
      problems.push(`${code}: in the README but in no error table`);
  }
  return [...new Set(problems)];
}

/** The README beside a package's src/, or '' when it has none. */
export function readmeOf(dir: string): string {
  const file = path.join(dir, 'README.md');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
