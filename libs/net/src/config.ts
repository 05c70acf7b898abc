/**
 * Configuration declared once per service: every option has a type, a default, an
 * environment variable and a flag. The same declaration parses argv + env, prints
 * `--help`, and feeds the deployment manifests (compose, k8s) and their drift test.
 */
import { InvalidConfigError } from './errors.js';
import { closestName } from './suggest.js';

interface BaseSpec {
  /** One sentence shown in --help and the README. */
  description: string;
  /** Environment variable read when the flag is absent. */
  env?: string;
  /** Long flag name; defaults to the key in kebab-case. `false` for env-only options. */
  flag?: string | false;
  /** One-letter alias, e.g. `p` for `-p`. */
  short?: string;
}

export interface StringSpec extends BaseSpec {
  type: 'string';
  default?: string;
}
export interface IntSpec extends BaseSpec {
  type: 'int';
  default?: number;
  min?: number;
  max?: number;
}
export interface NumberSpec extends BaseSpec {
  type: 'number';
  default?: number;
  min?: number;
  max?: number;
}
export interface PortSpec extends BaseSpec {
  type: 'port';
  default?: number;
}
export interface BooleanSpec extends BaseSpec {
  type: 'boolean';
  default?: boolean;
}
export interface EnumSpec<C extends string = string> extends BaseSpec {
  type: 'enum';
  choices: readonly C[];
  default?: C;
}
export interface ListSpec extends BaseSpec {
  type: 'list';
  /** Comma-separated in env; the flag may repeat. */
  default?: string[];
}

export type OptionSpec = StringSpec | IntSpec | NumberSpec | PortSpec | BooleanSpec | EnumSpec | ListSpec;
export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> =
  S extends EnumSpec<infer C>
    ? C
    : S extends StringSpec
      ? string
      : S extends IntSpec | NumberSpec | PortSpec
        ? number
        : S extends BooleanSpec
          ? boolean
          : S extends ListSpec
            ? string[]
            : never;

type HasDefault<S> = S extends { default: unknown } ? true : S extends BooleanSpec | ListSpec ? true : false;

/** Parsed values: options with a default are always present, others may be undefined. */
export type OptionValues<T extends OptionSpecs> = {
  [K in keyof T]: HasDefault<T[K]> extends true ? ValueOf<T[K]> : ValueOf<T[K]> | undefined;
};

/**
 * The longest delay a Node timer can wait: 2^31 - 1 ms (about 24.8 days). A longer one
 * fires after 1 ms (TimeoutOverflowWarning), so a huge "timeout" would mean none at all:
 * use this as the `max` of every option that becomes a timer.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** Identity helper that keeps literal types (choices, defaults) for inference. */
export function defineOptions<const T extends OptionSpecs>(specs: T): T {
  return specs;
}

export function flagName(key: string, spec: OptionSpec): string | undefined {
  if (spec.flag === false) return undefined;
  return spec.flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function convert(key: string, spec: OptionSpec, raw: string | boolean | string[], source: string): unknown {
  const label = source;
  const str = Array.isArray(raw) ? raw.join(',') : String(raw);
  switch (spec.type) {
    case 'string':
      return str;
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const v = str.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
      throw new InvalidConfigError(label, `expected true or false, got ${JSON.stringify(str)}`);
    }
    case 'int':
    case 'port':
    case 'number': {
      const n = Number(str);
      const integer = spec.type !== 'number';
      if (str.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
        throw new InvalidConfigError(
          label,
          `expected ${integer ? 'an integer' : 'a number'}, got ${JSON.stringify(str)}`,
        );
      }
      const min = spec.type === 'port' ? 0 : spec.min;
      const max = spec.type === 'port' ? 65535 : spec.max;
      if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
        throw new InvalidConfigError(label, `${n} is outside ${min ?? '-∞'}..${max ?? '∞'}`);
      }
      return n;
    }
    case 'enum':
      if (!spec.choices.includes(str)) {
        throw new InvalidConfigError(
          label,
          `expected one of ${spec.choices.join(', ')}, got ${JSON.stringify(str)}`,
        );
      }
      return str;
    case 'list':
      return (Array.isArray(raw) ? raw : str.split(','))
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean);
  }
  void key;
  return undefined;
}

export interface ParseResult<T extends OptionSpecs> {
  values: OptionValues<T>;
  positionals: string[];
  help: boolean;
  /** `--version` was given (and no option of the command is called that). */
  version: boolean;
}

/**
 * Parses flags (winning over env) and env vars (winning over defaults). Unknown flags
 * throw InvalidConfigError naming the flag. `--` ends option parsing.
 */
export function parseOptions<T extends OptionSpecs>(
  specs: T,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ParseResult<T> {
  const byFlag = new Map<string, string>();
  for (const [key, spec] of Object.entries(specs)) {
    const name = flagName(key, spec);
    if (name) byFlag.set(`--${name}`, key);
    if (spec.short) byFlag.set(`-${spec.short}`, key);
  }
  const fromFlags = new Map<string, string | boolean | string[]>();
  const positionals: string[] = [];
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--version' && !byFlag.has(arg)) {
      version = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    let key = byFlag.get(name);
    let negated = false;
    if (!key && name.startsWith('--no-')) {
      key = byFlag.get(`--${name.slice(5)}`);
      negated = key !== undefined && specs[key]!.type === 'boolean';
      if (!negated) key = undefined;
    }
    if (!key) {
      const near = name.startsWith('--') ? closestName(name, [...byFlag.keys(), '--help']) : undefined;
      throw new InvalidConfigError(
        name,
        `unknown option${near ? `; did you mean ${near}?` : ''} (see --help)`,
      );
    }
    const spec = specs[key]!;
    if (spec.type === 'boolean') {
      fromFlags.set(key, eq > 0 ? arg.slice(eq + 1) : !negated);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new InvalidConfigError(name, 'expects a value');
    if (spec.type === 'list') {
      const prev = fromFlags.get(key);
      fromFlags.set(key, [...(Array.isArray(prev) ? prev : []), value]);
    } else fromFlags.set(key, value);
  }

  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const flag = flagName(key, spec);
    if (fromFlags.has(key)) {
      values[key] = convert(key, spec, fromFlags.get(key)!, `--${flag ?? key}`);
    } else if (spec.env && env[spec.env] !== undefined && env[spec.env] !== '') {
      values[key] = convert(key, spec, env[spec.env]!, `environment variable ${spec.env}`);
    } else if (spec.default !== undefined) {
      values[key] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
    } else if (spec.type === 'boolean') values[key] = false;
    else if (spec.type === 'list') values[key] = [];
    else values[key] = undefined;
  }
  return { values: values as OptionValues<T>, positionals, help, version };
}

/** Help text: usage line, description, then one aligned line per option with env and default. */
export function formatHelp(usage: string, description: string, specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([key, spec]) => {
    const flag = flagName(key, spec);
    const names = [spec.short ? `-${spec.short}` : '', flag ? `--${flag}` : ''].filter(Boolean).join(', ');
    const arg =
      spec.type === 'boolean' ? '' : ` ${spec.type === 'enum' ? spec.choices.join('|') : key.toUpperCase()}`;
    const extras = [
      spec.env ? `env ${spec.env}` : '',
      spec.default !== undefined && !(Array.isArray(spec.default) && spec.default.length === 0)
        ? `default ${Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)}`
        : '',
    ].filter(Boolean);
    return [
      `${names || '(env only)'}${arg}`,
      `${spec.description}${extras.length ? ` [${extras.join('; ')}]` : ''}`,
    ];
  });
  const width = Math.min(34, Math.max(12, ...rows.map(([l]) => l!.length)));
  const lines = rows.map(([l, r]) => `  ${l!.padEnd(width)}  ${r}`);
  return `usage: ${usage}\n\n${description}\n\noptions:\n  ${'-h, --help'.padEnd(width)}  show this help and exit\n  ${'--version'.padEnd(width)}  print the version and exit\n${lines.join('\n')}\n`;
}

/** The environment variables a set of options reads, with their defaults as strings. */
export function envDefaults(specs: OptionSpecs): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const spec of Object.values(specs)) {
    if (!spec.env) continue;
    out[spec.env] =
      spec.default === undefined
        ? undefined
        : Array.isArray(spec.default)
          ? spec.default.join(',')
          : String(spec.default);
  }
  return out;
}
