/**
 * A small command dispatcher for the book's `program role host -p port` style CLIs.
 * Each command has its own options and positionals; `--help` anywhere prints usage; a
 * known error prints one line and exits 1 (2 for usage errors).
 */
import { formatHelp, type OptionSpecs, type OptionValues, parseOptions } from './config.js';
import { InvalidConfigError, reportFatal } from './errors.js';
import { closestName } from './suggest.js';
import { packageVersionOf } from './version.js';

export interface Positional {
  name: string;
  description: string;
  /** @default true */
  required?: boolean;
  /** Takes every remaining positional. */
  variadic?: boolean;
  default?: string;
}

/** The value `run` gets for one positional: variadic → string[]; optional without default → maybe undefined. */
export type PositionalValue<P extends Positional> = P extends { variadic: true }
  ? string[]
  : P extends { default: string }
    ? string
    : P extends { required: false }
      ? string | undefined
      : string;

/** `run`'s `positionals`, keyed by each positional's name. */
export type PositionalValues<P extends readonly Positional[]> = {
  [K in P[number] as K['name']]: PositionalValue<K>;
};

export interface Command<
  T extends OptionSpecs = OptionSpecs,
  P extends readonly Positional[] = readonly Positional[],
> {
  description: string;
  positionals?: P;
  options: T;
  /** Returns an exit code (0 when omitted). Long-running commands resolve when stopped. */
  run(args: {
    values: OptionValues<T>;
    positionals: PositionalValues<P>;
  }): Promise<number | undefined> | number | undefined;
}

/**
 * Keeps each command's option and positional types for `run`'s parameter. Positionals
 * declared outside the call need `as const` (or `definePositional`) to keep their names.
 */
export function defineCommand<const T extends OptionSpecs, const P extends readonly Positional[] = []>(
  command: Command<T, P>,
): Command<T, P> {
  return command;
}

/** A positional declared once and shared by several commands, its name kept as a type. */
export function definePositional<const P extends Positional>(positional: P): P {
  return positional;
}

export interface CliDefinition {
  name: string;
  description: string;
  /** Printed by `--version`. @default the version in the running program's package.json */
  version?: string;
  // biome-ignore lint/suspicious/noExplicitAny: each command has its own option and positional types
  commands: Record<string, Command<any, any>>;
}

function usageOf(cli: CliDefinition, name: string, cmd: Command): string {
  const pos = (cmd.positionals ?? [])
    .map((p) => {
      const label = p.variadic ? `${p.name}...` : p.name;
      return p.required === false ? `[${label}]` : label;
    })
    .join(' ');
  return `${cli.name} ${name}${pos ? ` ${pos}` : ''} [options]`;
}

export function cliHelp(cli: CliDefinition): string {
  const width = Math.max(...Object.keys(cli.commands).map((n) => n.length));
  const rows = Object.entries(cli.commands).map(([n, c]) => `  ${n.padEnd(width)}  ${c.description}`);
  return `usage: ${cli.name} COMMAND [options]\n\n${cli.description}\n\ncommands:\n${rows.join('\n')}\n\nRun '${cli.name} COMMAND --help' for a command's options, '${cli.name} --version' for the version.\n`;
}

export function commandHelp(cli: CliDefinition, name: string): string {
  const cmd: Command = cli.commands[name]!;
  const pos = (cmd.positionals ?? []).map(
    (p) => `  ${p.name.padEnd(12)}  ${p.description}${p.default ? ` [default ${p.default}]` : ''}`,
  );
  const text = formatHelp(usageOf(cli, name, cmd), cmd.description, cmd.options);
  return pos.length ? text.replace('\noptions:\n', `\narguments:\n${pos.join('\n')}\n\noptions:\n`) : text;
}

/** `tcp-farewell 0.1.0 (Node v24.22.3)` */
export function versionLine(cli: CliDefinition): string {
  const version = cli.version ?? (process.argv[1] ? packageVersionOf(process.argv[1]) : undefined);
  return `${cli.name} ${version ?? 'unknown'} (Node ${process.version})\n`;
}

/**
 * Runs the CLI and returns the exit code (callers do `process.exitCode = await runCli(…)`).
 */
export async function runCli(
  cli: CliDefinition,
  argv: readonly string[] = process.argv.slice(2),
  io: { out?: (s: string) => void; err?: (s: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(s));
  const err = io.err ?? ((s: string) => process.stderr.write(s));
  if (!io.out) exitQuietlyWhenReaderLeaves();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(cliHelp(cli));
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    out(versionLine(cli));
    return 0;
  }
  const cmd = cli.commands[name];
  if (!cmd) {
    const names = Object.keys(cli.commands);
    const near = closestName(name, names);
    err(
      `error: unknown command "${name}"${near ? `; did you mean "${near}"?` : ''}; expected one of: ${names.join(', ')}\n`,
    );
    return 2;
  }
  try {
    const parsed = parseOptions(cmd.options, rest, io.env ?? process.env);
    if (parsed.help) {
      out(commandHelp(cli, name));
      return 0;
    }
    if (parsed.version) {
      out(versionLine(cli));
      return 0;
    }
    const positionals: Record<string, string | string[] | undefined> = {};
    const specs = cmd.positionals ?? [];
    let i = 0;
    for (const p of specs) {
      if (p.variadic) {
        positionals[p.name] = parsed.positionals.slice(i);
        i = parsed.positionals.length;
        if (p.required !== false && (positionals[p.name] as string[]).length === 0) {
          throw new InvalidConfigError(p.name, `missing argument (usage: ${usageOf(cli, name, cmd)})`);
        }
        continue;
      }
      const v = parsed.positionals[i++] ?? p.default;
      if (v === undefined && p.required !== false) {
        throw new InvalidConfigError(p.name, `missing argument (usage: ${usageOf(cli, name, cmd)})`);
      }
      positionals[p.name] = v;
    }
    if (i < parsed.positionals.length) {
      throw new InvalidConfigError(
        parsed.positionals[i]!,
        `unexpected argument (usage: ${usageOf(cli, name, cmd)})`,
      );
    }
    return (await cmd.run({ values: parsed.values, positionals: positionals as never })) ?? 0;
  } catch (e) {
    return reportFatal(e, err);
  }
}

let stdoutGuarded = false;
/**
 * `cli … | head` closes the pipe after a few lines; the next write fails with EPIPE, which
 * Node raises as an unhandled 'error' event (a stack trace on stderr). A reader that has
 * gone is no error of the command's: exit at once and quietly, with the status a shell
 * gives a process killed by SIGPIPE (128 + 13), as a C program would.
 */
function exitQuietlyWhenReaderLeaves(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(141);
    throw e;
  });
}

/** One line of a command's human output (the book's prints) on stdout; logs go elsewhere. */
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** One line on stderr: what the book's programs report about a client or a failure. */
export function complain(line: string): void {
  process.stderr.write(`${line}\n`);
}
