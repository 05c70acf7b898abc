#!/usr/bin/env node
/**
 * `pnpm bench`: runs every package's benchmark (the `bench` script of each package.json under
 * libs/, services/ and tools/, one after the other, never two at once), then writes
 *
 *   bench-results/last-run.md      a markdown table: date, machine load before and after, and
 *                                  per package its command, exit code, seconds and the last
 *                                  line it printed (each bench ends with its summary line)
 *   bench-results/<package>.log    everything each benchmark printed
 *
 * and puts last-run.md, as it is, between the markers of the root README's "Last `pnpm bench`"
 * section; tools/deploy-check's bench-table test checks the two agree.
 *
 *   pnpm bench [--only net,tls-inspector] [--timeout-s 900]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const START = '<!-- pnpm bench: last run (written by scripts/bench-all.mjs) -->';
const END = '<!-- pnpm bench: end -->';
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const only = arg('--only')?.split(',');
const timeoutS = Number(arg('--timeout-s') ?? 900);

const packages = ['libs', 'services', 'tools']
  .flatMap((group) =>
    existsSync(path.join(ROOT, group))
      ? readdirSync(path.join(ROOT, group)).map((name) => ({ name, dir: path.join(ROOT, group, name) }))
      : [],
  )
  .filter(({ dir }) => existsSync(path.join(dir, 'package.json')))
  .map((p) => ({
    ...p,
    bench: JSON.parse(readFileSync(path.join(p.dir, 'package.json'), 'utf8')).scripts?.bench,
  }))
  .filter((p) => p.bench && (!only || only.includes(p.name)));

const out = path.join(ROOT, 'bench-results');
mkdirSync(out, { recursive: true });
const load = () => loadavg()[0].toFixed(1);
const loadBefore = load();
const started = new Date();
const rows = [];
for (const p of packages) {
  process.stdout.write(`bench: ${p.name}: ${p.bench}\n`);
  const t0 = performance.now();
  const r = spawnSync('pnpm', ['--silent', 'run', 'bench'], {
    cwd: p.dir,
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - t0) / 1000;
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  writeFileSync(path.join(out, `${p.name}.log`), output);
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const exit = r.error
    ? `killed (${r.error.code === 'ETIMEDOUT' ? `over ${timeoutS} s` : r.error.code})`
    : String(r.status);
  const last = (lines.at(-1) ?? '').replace(/\|/g, '\\|').slice(0, 300);
  rows.push(`| ${p.name} | \`${p.bench}\` | ${exit} | ${seconds.toFixed(0)} | ${last} |`);
  process.stdout.write(`bench: ${p.name}: exit ${exit} after ${seconds.toFixed(0)} s: ${last}\n`);
}
const table = [
  `Run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${loadBefore} before and ${load()} after, on ${cpus().length} cores${only ? `; only ${only.join(', ')}` : ''}. Full outputs: \`bench-results/<package>.log\`.`,
  '',
  '| package | command | exit | seconds | last line it printed |',
  '| --- | --- | --- | --- | --- |',
  ...rows,
  '',
].join('\n');
writeFileSync(path.join(out, 'last-run.md'), table);

const readmePath = path.join(ROOT, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const [a, b] = [readme.indexOf(START), readme.indexOf(END)];
if (a < 0 || b < a) {
  process.stderr.write(
    `bench: README.md has no ${START} … ${END} section; the table is in bench-results/last-run.md\n`,
  );
  process.exitCode = 1;
} else {
  writeFileSync(readmePath, `${readme.slice(0, a + START.length)}\n\n${table}\n${readme.slice(b)}`);
  process.stdout.write('bench: bench-results/last-run.md written and shown in README.md\n');
}
