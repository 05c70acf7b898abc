#!/usr/bin/env node
/**
 * ssh-runner: the book's ch. 16 programs as one CLI.
 *   exec HOST... -- COMMAND   ssh_commands.py / ssh_threads.py on many hosts at once
 *   shell HOST                ssh_simple.py: an interactive shell channel
 *   get HOST:PATH LOCAL       sftp_get.py, with progress and a checksum
 *   put LOCAL HOST:PATH       the other direction
 *   serve                     the HTTP runner of pre-declared jobs
 */
import { defineCommand, defineOptions, type OptionValues, runCli, serveCommand } from '@fopnp/net/cli';
import type { ConnectOptions } from './connection.js';
import { manifest, sshOptions } from './manifest.js';

/**
 * The commands' code, loaded when one runs: `--help` loads the kit's light part and the
 * manifest only, not ssh2 nor the logger (issue 20).
 */
async function load() {
  const [connection, errors, exec, knownHosts, sftp, shell] = await Promise.all([
    import('./connection.js'),
    import('./errors.js'),
    import('./exec.js'),
    import('./known-hosts.js'),
    import('./sftp.js'),
    import('./shell.js'),
  ]);
  return { ...connection, ...errors, ...exec, ...knownHosts, ...sftp, ...shell };
}
type Loaded = Awaited<ReturnType<typeof load>>;

function connectOptions({ KnownHosts }: Loaded, v: OptionValues<typeof sshOptions>): ConnectOptions {
  return {
    knownHosts: new KnownHosts(v.knownHosts, v.hostKeyPolicy),
    identityFile: v.identityFile,
    passphrase: v.keyPassphrase,
    password: v.password,
    timeoutMs: v.connectTimeoutMs,
  };
}

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

const exec = defineCommand({
  description: 'run a command on one or many hosts at once; exit 1 if any host failed',
  positionals: [
    { name: 'HOST', variadic: true, description: 'hosts as [user@]host[:port], then -- and the command' },
  ],
  options: defineOptions({
    ...sshOptions,
    concurrency: { type: 'int', short: 'c', default: 10, min: 1, description: 'hosts worked on at once' },
    timeout: {
      type: 'int',
      short: 't',
      default: 0,
      min: 0,
      description: 'kill the remote command after this many seconds (0 = never)',
    },
  }),
  async run({ values, positionals }) {
    const lib = await load();
    const { InvalidArgumentError, parseTarget, defaultUser, runOnHosts, summaryTable, succeeded } = lib;
    const all = positionals.HOST;
    const argv = process.argv;
    const dash = argv.indexOf('--');
    // parseOptions folds what follows -- into the positionals; the command is that tail.
    const tailCount = dash >= 0 ? argv.length - dash - 1 : 0;
    const hosts = all.slice(0, all.length - tailCount);
    const command = all.slice(all.length - tailCount).join(' ');
    if (!command || hosts.length === 0) {
      // A usage error: exit 2 (INVALID_ARGUMENT's exit code).
      throw new InvalidArgumentError(
        `${hosts.length === 0 ? 'no host' : 'no command (put -- between the hosts and the command)'}; ` +
          'usage: ssh-runner exec HOST... [-l USER] [-p PORT] [-i KEY] -- COMMAND',
      );
    }
    const targets = hosts.map((h) =>
      parseTarget(h, { user: defaultUser(values.user), port: values.sshPort }),
    );
    const width = Math.max(...targets.map((t) => `${t.host}:${t.port}`.length));
    const tag = (label: string) => label.replace(/^[^@]*@/, '').padEnd(width);
    const results = await runOnHosts(targets, command, {
      ...connectOptions(lib, values),
      concurrency: values.concurrency,
      commandTimeoutSec: values.timeout,
      onStdout: (label, line) => out(`${tag(label)} | ${line}\n`),
      onStderr: (label, line) => err(`${tag(label)} ! ${line}\n`),
    });
    for (const r of results)
      if (r.error) err(`${tag(r.target)} ! error: ${r.error.split('\n').join(`\n${tag(r.target)} ! `)}\n`);
    out(`\n${summaryTable(results)}`);
    return results.every(succeeded) ? 0 : 1;
  },
});

const shell = defineCommand({
  description: 'open an interactive shell (a pty on a terminal; stdin passed through from a pipe)',
  positionals: [{ name: 'HOST', description: '[user@]host[:port]' }],
  options: sshOptions,
  async run({ values, positionals }) {
    const lib = await load();
    const { parseTarget, defaultUser, openSsh, runShell } = lib;
    const target = parseTarget(positionals.HOST, {
      user: defaultUser(values.user),
      port: values.sshPort,
    });
    const client = await openSsh(target, connectOptions(lib, values));
    try {
      const code = await runShell(client, {
        stdin: process.stdin,
        stdout: process.stdout,
        stderr: process.stderr,
      });
      return code ?? 1;
    } finally {
      client.end();
    }
  },
});

function splitRemote(
  { InvalidArgumentError, defaultUser }: Loaded,
  spec: string,
  values: OptionValues<typeof sshOptions>,
) {
  // host:path, user@host:path, [v6]:path; a port comes from -p.
  const m = /^(?:(.+)@)?(\[[^\]]+\]|[^:]+):(.+)$/.exec(spec);
  if (!m) throw new InvalidArgumentError(`expected HOST:PATH, got "${spec}"`);
  const host = m[2]!.replace(/^\[|\]$/g, '');
  return { target: { user: m[1] ?? defaultUser(values.user), host, port: values.sshPort }, path: m[3]! };
}

const transfer = (direction: 'get' | 'put') =>
  defineCommand({
    description:
      direction === 'get'
        ? 'download a file over SFTP, with progress and a SHA-256 check'
        : 'upload a file over SFTP, with progress and a SHA-256 check',
    positionals:
      direction === 'get'
        ? [
            { name: 'REMOTE', description: '[user@]host:path' },
            { name: 'LOCAL', description: 'local file to write' },
          ]
        : [
            { name: 'LOCAL', description: 'local file to send' },
            { name: 'REMOTE', description: '[user@]host:path' },
          ],
    options: sshOptions,
    async run({ values, positionals }) {
      const lib = await load();
      const { openSsh, progressPrinter, getFile, putFile } = lib;
      const { target, path } = splitRemote(lib, positionals.REMOTE, values);
      const local = positionals.LOCAL;
      const client = await openSsh(target, connectOptions(lib, values));
      try {
        const progress = progressPrinter(
          `${direction} ${direction === 'get' ? path : local}`,
          err,
          Boolean(process.stderr.isTTY),
        );
        const r =
          direction === 'get'
            ? await getFile(client, path, local, progress)
            : await putFile(client, local, path, progress);
        out(
          `${direction === 'get' ? 'received' : 'sent'} ${r.bytes} bytes in ${(r.durationMs / 1000).toFixed(2)} s; sha256 ${r.sha256} verified (${r.verified})\n`,
        );
        return 0;
      } finally {
        client.end();
      }
    },
  });

const serve = serveCommand({
  manifest,
  start: async (ctx) => (await import('./service.js')).startService(ctx),
  description: `run the HTTP job runner on port ${manifest.options.port.default} (health on ${manifest.options.healthPort.default})`,
});

process.exitCode = await runCli({
  name: 'ssh-runner',
  description:
    'Remote commands, shells and SFTP over SSH (book ch. 16), with host keys checked against known_hosts.',
  commands: { exec, shell, get: transfer('get'), put: transfer('put'), serve },
});
