import { describe, expect, it } from 'vitest';
import { commandHelp, defineCommand, runCli } from '../src/cli.js';
import { defineOptions, envDefaults, formatHelp, MAX_TIMER_MS, parseOptions } from '../src/config.js';
import { InvalidConfigError } from '../src/errors.js';
import { serviceOptions } from '../src/service.js';

const options = defineOptions({
  port: { type: 'port', env: 'PORT', short: 'p', default: 1060, description: 'TCP port' },
  mode: { type: 'enum', choices: ['loop', 'single', 'cluster'], default: 'loop', description: 'server mode' },
  verbose: { type: 'boolean', short: 'v', description: 'say more' },
  drop: {
    type: 'number',
    env: 'DROP',
    default: 0,
    min: 0,
    max: 1,
    description: 'fraction of requests to drop',
  },
  shards: { type: 'list', env: 'SHARDS', description: 'shard URLs' },
  name: { type: 'string', env: 'NAME', description: 'no default' },
});

describe('option parsing', () => {
  it('uses defaults, then env, then flags, in rising precedence', () => {
    expect(parseOptions(options, [], {}).values).toEqual({
      port: 1060,
      mode: 'loop',
      verbose: false,
      drop: 0,
      shards: [],
      name: undefined,
    });
    expect(parseOptions(options, [], { PORT: '2000', SHARDS: 'a, b' }).values).toMatchObject({
      port: 2000,
      shards: ['a', 'b'],
    });
    const flagged = parseOptions(
      options,
      ['-p', '3000', '--mode=cluster', '-v', '--shards', 'x', '--shards', 'y,z'],
      {
        PORT: '2000',
      },
    );
    expect(flagged.values).toMatchObject({
      port: 3000,
      mode: 'cluster',
      verbose: true,
      shards: ['x', 'y', 'z'],
    });
  });

  it('keeps positionals in order and stops at --', () => {
    const r = parseOptions(options, ['server', 'localhost', '-p', '9', '--', '-v', 'echo'], {});
    expect(r.positionals).toEqual(['server', 'localhost', '-v', 'echo']);
    expect(r.values.verbose).toBe(false);
  });

  it('names the option and the problem on bad values', () => {
    expect(() => parseOptions(options, ['-p', '70000'], {})).toThrow(
      'invalid value for --port: 70000 is outside 0..65535',
    );
    expect(() => parseOptions(options, ['-p', 'http'], {})).toThrow(
      'invalid value for --port: expected an integer, got "http"',
    );
    expect(() => parseOptions(options, [], { PORT: '1.5' })).toThrow(
      'invalid value for environment variable PORT',
    );
    expect(() => parseOptions(options, ['--mode', 'threads'], {})).toThrow(
      'expected one of loop, single, cluster',
    );
    expect(() => parseOptions(options, ['--drop', '2'], {})).toThrow('2 is outside 0..1');
    expect(() => parseOptions(options, ['--bogus'], {})).toThrow(InvalidConfigError);
    expect(() => parseOptions(options, ['--port'], {})).toThrow('invalid value for --port: expects a value');
  });

  it('lists env vars with their defaults for the deployment manifests', () => {
    expect(envDefaults(options)).toEqual({ PORT: '1060', DROP: '0', SHARDS: undefined, NAME: undefined });
  });

  it('prints every option with its env var and default in --help', () => {
    const help = formatHelp('prog [options]', 'Does things.', options);
    expect(help).toMatch(/-p, --port PORT\s+TCP port \[env PORT; default 1060\]/);
    expect(help).toMatch(/--mode loop\|single\|cluster\s+server mode \[default loop\]/);
    expect(help).toContain('-h, --help');
  });
});

describe('runCli', () => {
  const cli = {
    name: 'demo',
    description: 'A demo CLI.',
    commands: {
      greet: defineCommand({
        description: 'print a greeting',
        positionals: [{ name: 'HOST', description: 'who to greet' }],
        options: defineOptions({ port: { type: 'port', short: 'p', default: 1060, description: 'port' } }),
        run: ({ values, positionals }) => {
          out.push(`hello ${positionals.HOST} on ${values.port}`);
          return 0;
        },
      }),
    },
  };
  let out: string[] = [];

  it('runs a command with its positionals and options', async () => {
    out = [];
    expect(await runCli(cli, ['greet', 'localhost', '-p', '7'])).toBe(0);
    expect(out).toEqual(['hello localhost on 7']);
  });

  it('exits 2 on a usage error with one line naming the problem', async () => {
    const errs: string[] = [];
    expect(await runCli(cli, ['greet'], { err: (s) => errs.push(s) })).toBe(2);
    expect(errs).toEqual([
      'error: invalid value for HOST: missing argument (usage: demo greet HOST [options])\n',
    ]);
    expect(await runCli(cli, ['wave'], { err: (s) => errs.push(s) })).toBe(2);
    expect(errs[1]).toBe('error: unknown command "wave"; expected one of: greet\n');
  });

  it('prints help for the CLI and for a command', async () => {
    let text = '';
    expect(await runCli(cli, ['--help'], { out: (s) => (text += s) })).toBe(0);
    expect(text).toContain('greet  print a greeting');
    expect(commandHelp(cli, 'greet')).toContain('arguments:\n  HOST          who to greet');
  });
});

describe('timer options', () => {
  it('refuses a shutdown deadline longer than a Node timer can wait, instead of firing after 1 ms', () => {
    const specs = serviceOptions(9999);
    expect(
      parseOptions(specs, ['--shutdown-timeout-ms', String(MAX_TIMER_MS)], {}).values.shutdownTimeoutMs,
    ).toBe(2_147_483_647);
    expect(() => parseOptions(specs, [], { SHUTDOWN_TIMEOUT_MS: '3000000000' })).toThrow(
      'invalid value for environment variable SHUTDOWN_TIMEOUT_MS: 3000000000 is outside 0..2147483647',
    );
  });
});
