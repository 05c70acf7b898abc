/**
 * A small Dockerfile linter for the rules every service image follows: multi-stage on
 * Node 24 slim, only production dependencies in the runtime stage, a non-root USER, a
 * HEALTHCHECK that asks the health port, and exec-form ENTRYPOINT/CMD so that node itself
 * (PID 1) receives SIGTERM.
 */
import { HEALTH_PATHS } from '@fopnp/net';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    const start = i + 1;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1);
      const next = lines[++i]!.trim();
      if (!next.startsWith('#')) line += ` ${next}`;
    }
    const m = line.match(/^(\S+)\s*(.*)$/s);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
  }
  return out;
}

export function lintDockerfile(text: string, opts: { healthPort?: number } = {}): string[] {
  const problems: string[] = [];
  const ins = parseDockerfile(text);
  const froms = ins.filter((i) => i.keyword === 'FROM');
  if (froms.length < 2) problems.push('not multi-stage: build and runtime must be separate stages');
  const args = new Map(
    ins
      .filter((i) => i.keyword === 'ARG' && i.args.includes('='))
      .map((i) => i.args.split('=', 2) as [string, string]),
  );
  const image = (from: Instruction) =>
    from.args.split(/\s+/)[0]!.replace(/^\$\{?(\w+)\}?$/, (_, name: string) => args.get(name) ?? name);
  for (const f of froms) {
    const ref = image(f);
    const isStage = froms.some((g) => g !== f && new RegExp(`\\bAS\\s+${ref}$`, 'i').test(g.args));
    if (!isStage && !/^(docker\.io\/library\/)?node:24[.\d]*-(bookworm-)?slim$/.test(ref))
      problems.push(`line ${f.line}: base image ${ref} is not Node 24 slim`);
  }
  const lastFrom = froms.at(-1);
  const runtime = lastFrom ? ins.slice(ins.indexOf(lastFrom)) : [];
  const users = runtime.filter((i) => i.keyword === 'USER');
  const user = users.at(-1)?.args.split(':')[0];
  if (!user) problems.push('runtime stage has no USER: it would run as root');
  else if (user === 'root' || user === '0') problems.push(`runtime stage runs as ${user}`);

  const hc = runtime.find((i) => i.keyword === 'HEALTHCHECK');
  if (!hc) problems.push('no HEALTHCHECK in the runtime stage');
  else {
    if (/^NONE$/i.test(hc.args)) problems.push('HEALTHCHECK NONE');
    if (!/CMD\s+\[\s*"node"/.test(hc.args))
      problems.push('HEALTHCHECK must run node in exec form (the slim image has no curl)');
    if (!hc.args.includes(HEALTH_PATHS.liveness))
      problems.push(`HEALTHCHECK does not ask ${HEALTH_PATHS.liveness}`);
    if (opts.healthPort !== undefined && !hc.args.includes(String(opts.healthPort)))
      problems.push(`HEALTHCHECK does not default to the health port ${opts.healthPort}`);
  }
  for (const kw of ['ENTRYPOINT', 'CMD']) {
    const i = runtime.filter((x) => x.keyword === kw).at(-1);
    if (i && !i.args.startsWith('['))
      problems.push(`${kw} in shell form: /bin/sh would be PID 1 and SIGTERM would not reach node`);
  }
  if (!runtime.some((i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD'))
    problems.push('runtime stage has neither ENTRYPOINT nor CMD');

  // Production dependencies only: the runtime stage copies the output of `pnpm deploy --prod`
  // and installs nothing itself.
  const deploys = ins.filter((i) => i.keyword === 'RUN' && /\bpnpm\b.*\bdeploy\b/.test(i.args));
  if (!deploys.length) problems.push('no `pnpm deploy`: the runtime would not get a pruned node_modules');
  for (const d of deploys)
    if (!/--prod\b/.test(d.args))
      problems.push(`line ${d.line}: pnpm deploy without --prod copies devDependencies`);
  for (const i of runtime) {
    if (i.keyword === 'RUN' && /\b(pnpm|npm|yarn)\s+(install|i|ci|add)\b/.test(i.args))
      problems.push(`line ${i.line}: the runtime stage installs packages (${i.args.slice(0, 60)})`);
    if (i.keyword === 'COPY' || i.keyword === 'ADD') {
      if (i.keyword === 'COPY' && !/--from=/.test(i.args))
        problems.push(
          `line ${i.line}: the runtime stage copies from the build context, not from the build stage`,
        );
      if (/node_modules/.test(i.args) || /\/repo\b/.test(i.args))
        problems.push(
          `line ${i.line}: copies the workspace or its node_modules (devDependencies) into the runtime`,
        );
    }
  }
  return problems;
}
