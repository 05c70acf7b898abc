import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineCommand, runCli } from '../src/cli.js';
import { defineOptions } from '../src/config.js';
import { NetError } from '../src/errors.js';
import { closestName, editDistance } from '../src/suggest.js';
import { packageVersionOf } from '../src/version.js';

const cli = {
  name: 'demo',
  description: 'A demo CLI.',
  version: '1.2.3',
  commands: {
    client: defineCommand({
      description: 'talk to a server',
      positionals: [{ name: 'HOST', description: 'server' }],
      options: defineOptions({
        port: { type: 'port', short: 'p', default: 1060, description: 'port' },
        verbose: { type: 'boolean', short: 'v', description: 'say more' },
        listenMs: { type: 'int', default: 5, description: 'how long to listen' },
      }),
      run: () => 0,
    }),
    exec: defineCommand({
      description: 'fails like a command that checks its own arguments',
      options: {},
      run: () => {
        throw new NetError('FOPNP_ERR_INVALID_CONFIG', 'usage: demo exec HOST... -- COMMAND');
      },
    }),
  },
};

function capture() {
  const io = { out: '', err: '' };
  return {
    io,
    sinks: { out: (s: string) => (io.out += s), err: (s: string) => (io.err += s) },
  };
}

describe('did you mean', () => {
  it('counts insertions, deletions, substitutions and swaps as one edit each', () => {
    expect(editDistance('--port', '--port')).toBe(0);
    expect(editDistance('--prot', '--port')).toBe(1);
    expect(editDistance('--pot', '--port')).toBe(1);
    expect(editDistance('--portt', '--port')).toBe(1);
    expect(editDistance('--part', '--port')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the nearest long option for a misspelled one, and nothing for a far one', async () => {
    const { io, sinks } = capture();
    expect(await runCli(cli, ['client', 'localhost', '--prot', '7'], sinks)).toBe(2);
    expect(io.err).toBe(
      'error: invalid value for --prot: unknown option; did you mean --port? (see --help)\n',
    );
    io.err = '';
    expect(await runCli(cli, ['client', 'localhost', '--listen-m', '7'], sinks)).toBe(2);
    expect(io.err).toContain('did you mean --listen-ms?');
    io.err = '';
    expect(await runCli(cli, ['client', 'localhost', '--colour'], sinks)).toBe(2);
    expect(io.err).toBe('error: invalid value for --colour: unknown option (see --help)\n');
  });

  it('suggests a command for a misspelled command', async () => {
    const { io, sinks } = capture();
    expect(await runCli(cli, ['clinet', 'localhost'], sinks)).toBe(2);
    expect(io.err).toBe(
      'error: unknown command "clinet"; did you mean "client"?; expected one of: client, exec\n',
    );
  });

  it('keeps short names out of it: one letter is too little to guess from', () => {
    expect(closestName('-x', ['-p', '-v'])).toBeUndefined();
    expect(closestName('--verb', ['--verbose', '--port'])).toBe('--verbose');
  });
});

describe('--version', () => {
  it('prints the name, the version and the Node version, before or after a command', async () => {
    for (const argv of [['--version'], ['-V'], ['client', '--version']]) {
      const { io, sinks } = capture();
      expect(await runCli(cli, argv, sinks)).toBe(0);
      expect(io.out).toBe(`demo 1.2.3 (Node ${process.version})\n`);
    }
  });

  it('is listed in the help of the CLI and of each command', async () => {
    const { io, sinks } = capture();
    await runCli(cli, ['--help'], sinks);
    await runCli(cli, ['client', '--help'], sinks);
    expect(io.out.match(/--version/g)).toHaveLength(2);
  });

  it("reads the version from the package.json of the running program's package, through links", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fopnp-version-'));
    try {
      await mkdir(path.join(dir, 'pkg', 'dist', 'src'), { recursive: true });
      writeFileSync(path.join(dir, 'pkg', 'package.json'), JSON.stringify({ name: 'x', version: '4.5.6' }));
      writeFileSync(path.join(dir, 'pkg', 'dist', 'src', 'cli.js'), '');
      symlinkSync(path.join(dir, 'pkg', 'dist', 'src', 'cli.js'), path.join(dir, 'x'));
      expect(packageVersionOf(path.join(dir, 'pkg', 'dist', 'src', 'cli.js'))).toBe('4.5.6');
      expect(packageVersionOf(path.join(dir, 'x'))).toBe('4.5.6');
      expect(packageVersionOf(path.join(dir, 'missing.js'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('usage errors', () => {
  it('exit 2 also when a command throws a coded FOPNP_ERR_INVALID_CONFIG itself', async () => {
    const { io, sinks } = capture();
    expect(await runCli(cli, ['exec'], sinks)).toBe(2);
    expect(io.err).toBe('error: usage: demo exec HOST... -- COMMAND\n');
    expect(new NetError('FOPNP_ERR_TIMEOUT', 'slow').exitCode).toBe(1);
  });
});
