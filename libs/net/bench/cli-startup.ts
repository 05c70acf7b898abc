/**
 * CPU cost of every service CLI's `--help` against `node -e 0` (issue 20's target: within
 * 1.5×). Each run's CPU time (user + system, the whole process, from process.cpuUsage() at
 * exit via a preloaded CommonJS file, so the baseline pays no ESM loader it would not pay
 * anyway) is taken in rounds; each round runs the baseline and every CLI in a shuffled order,
 * and each CLI's ratio is taken against that round's baseline. Prints min / median / max.
 *
 *   pnpm exec turbo run build && node libs/net/dist/bench/cli-startup.js [ROUNDS]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const rounds = Number(process.argv[2] ?? 7);
const TARGET = 1.5;

const dir = mkdtempSync(path.join(tmpdir(), 'fopnp-cli-startup-'));
const preload = path.join(dir, 'cpu.cjs');
writeFileSync(
  preload,
  "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('\\nCPU_US ' + (u.user + u.system) + '\\n'); });\n",
);

/** Runs node with the preload and returns the CPU milliseconds the process reported. */
function run(args: string[]): number {
  const r = spawnSync(process.execPath, ['--require', preload, ...args], { encoding: 'utf8' });
  const m = /CPU_US (\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(m[1]) / 1000;
}

const clis = readdirSync(path.join(ROOT, 'services'))
  .map((name) => ({ name, file: path.join(ROOT, 'services', name, 'dist/src/cli.js') }))
  .filter((c) => existsSync(c.file));

const samples = new Map<string, { cpu: number[]; ratio: number[] }>(
  [{ name: 'node -e 0' }, ...clis].map((c) => [c.name, { cpu: [], ratio: [] }]),
);
const loadBefore = loadavg()[0]!;
for (let round = 0; round < rounds; round++) {
  const order = [...clis].sort(() => Math.random() - 0.5);
  const base = run(['-e', '0']);
  samples.get('node -e 0')!.cpu.push(base);
  for (const cli of order) {
    const cpu = run([cli.file, '--help']);
    const s = samples.get(cli.name)!;
    s.cpu.push(cpu);
    s.ratio.push(cpu / base);
  }
}
const loadAfter = loadavg()[0]!;
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
console.log(
  `CLI --help CPU vs node -e 0, ${rounds} rounds, ${new Date().toISOString().slice(0, 16)}Z, load ${f1(loadBefore)} → ${f1(loadAfter)}`,
);
console.log('| program | CPU ms (median) | × node -e 0 (min / median / max) | within 1.5× |');
console.log('| --- | --- | --- | --- |');
for (const [name, s] of samples) {
  if (name === 'node -e 0') {
    console.log(`| node -e 0 | ${f1(median(s.cpu))} | 1 | – |`);
    continue;
  }
  const [lo, mid, hi] = [Math.min(...s.ratio), median(s.ratio), Math.max(...s.ratio)];
  console.log(
    `| ${name} --help | ${f1(median(s.cpu))} | ${f2(lo)} / ${f2(mid)} / ${f2(hi)} | ${mid <= TARGET ? 'yes' : 'no'} |`,
  );
}
const medians = clis.map((c) => ({ name: c.name, ratio: median(samples.get(c.name)!.ratio) }));
const within = medians.filter((m) => m.ratio <= TARGET);
const sorted = [...medians].sort((a, b) => a.ratio - b.ratio);
console.log(
  `CLI --help within ${TARGET}x of node -e 0 (median): ${within.length} of ${medians.length}; lowest ${sorted[0]?.name} ${f2(sorted[0]?.ratio ?? 0)}x, highest ${sorted.at(-1)?.name} ${f2(sorted.at(-1)?.ratio ?? 0)}x`,
);
