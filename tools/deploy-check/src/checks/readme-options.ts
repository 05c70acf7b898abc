/**
 * Each README's options tables checked against the manifest: every option with an env var
 * has a row (with its default), and no row names an env var the manifest does not declare.
 * A README documents the options; the manifest declares them; this keeps the two equal.
 */
import type { OptionSpec, ServiceManifest } from '@fopnp/net';

/** One row of a Markdown table with an `env` column. */
export interface OptionRow {
  env: string;
  /** The default column's text without backticks ('' when the table has none). */
  default: string | undefined;
  line: number;
}

const ENV_NAME = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*\b/g;

function cells(line: string): string[] {
  // Split on | outside backticks (a default may be `a|b`), and not on an escaped \|.
  const out: string[] = [];
  let cur = '';
  let code = false;
  for (const ch of line.trim().replace(/^\|/, '').replace(/\|$/, '')) {
    if (ch === '`') code = !code;
    if (ch === '|' && !code && !cur.endsWith('\\')) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** Rows of every table whose header has an `env` column. */
export function optionRows(markdown: string): OptionRow[] {
  const rows: OptionRow[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.trimStart().startsWith('|')) continue;
    const header = cells(lines[i]!).map((c) => c.toLowerCase());
    const envCol = header.findIndex((h) => h === 'env' || h === 'env var' || h === 'environment');
    if (envCol < 0 || !/^\|[\s|:-]+\|?$/.test(lines[i + 1]?.trim() ?? '')) continue;
    const defaultCol = header.indexOf('default');
    let j = i + 2;
    for (; j < lines.length && lines[j]!.trimStart().startsWith('|'); j++) {
      const row = cells(lines[j]!);
      const envCell = row[envCol] ?? '';
      const names = [...envCell.replaceAll('`', ' ').matchAll(ENV_NAME)].map((m) => m[0]);
      for (const env of names)
        rows.push({
          env,
          default: defaultCol < 0 ? undefined : (row[defaultCol] ?? '').replaceAll('`', '').trim(),
          line: j + 1,
        });
    }
    i = j - 1;
  }
  return rows;
}

/** How a declared default is written in a README ('' for none). */
export function writtenDefault(spec: OptionSpec): string {
  const d = (spec as { default?: unknown }).default;
  if (d === undefined) return spec.type === 'boolean' ? 'false' : '';
  if (Array.isArray(d)) return d.join(',');
  return String(d);
}

/** Numbers may be written with thousands separators (60 000, 60_000, 60,000). */
function normalize(text: string): string {
  return text.replace(/(\d)[\s_,](?=\d{3}\b)/g, '$1');
}

/**
 * Problems between a README and its manifest: a declared env var without a row, a row whose
 * default does not show the declared one, and a row for an env var the manifest lacks.
 */
export function checkReadmeOptions(manifest: ServiceManifest, readme: string): string[] {
  const rows = optionRows(readme);
  const problems: string[] = [];
  const declared = new Map<string, OptionSpec>();
  for (const spec of Object.values(manifest.options)) if (spec.env) declared.set(spec.env, spec);
  for (const [env, spec] of declared) {
    const mine = rows.filter((r) => r.env === env);
    if (mine.length === 0) {
      problems.push(`${env}: declared, but in no options table of the README`);
      continue;
    }
    const want = writtenDefault(spec);
    if (want === '') continue; // no default: the README says what happens instead
    // The value as a whole word: "10000" does not show a default of 1000.
    const shown = new RegExp(`(?<![\\w.])${want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.])`);
    if (!mine.some((r) => r.default === undefined || shown.test(normalize(r.default))))
      problems.push(`${env}: the README says the default is "${mine[0]!.default}", the manifest ${want}`);
  }
  for (const r of rows)
    if (!declared.has(r.env)) problems.push(`${r.env} (README line ${r.line}): not declared in the manifest`);
  return [...new Set(problems)];
}
