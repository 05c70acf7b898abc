import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliTestKit, freePort, run, runNode, stopAll } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyPair, makeKey, type Sshd, startSshd, startSshds, tempDir } from './helpers/sshd.js';

const { CLI } = cliTestKit(import.meta.url);
const dir = tempDir();
let userKey: KeyPair;
let otherKey: KeyPair;
let lockedKey: KeyPair;
const PASSPHRASE = 'correct horse battery staple';
let servers: Sshd[] = [];
let knownHosts: string;

beforeAll(async () => {
  userKey = makeKey(dir.path, 'id_user');
  otherKey = makeKey(dir.path, 'id_other');
  lockedKey = makeKey(dir.path, 'id_locked', 'ed25519', PASSPHRASE);
  servers = await startSshds(dir.path, [userKey.publicKey, lockedKey.publicKey], 3);
  knownHosts = join(dir.path, 'known_hosts');
  writeFileSync(knownHosts, `${servers.map((s) => s.knownHostsLine).join('\n')}\n`);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await stopAll();
  dir.remove();
});

const base = () => ['-l', 'root', '-i', userKey.privatePath, '--known-hosts', knownHosts];
const host = (s: Sshd) => `127.0.0.1:${s.port}`;

describe('exec on several hosts at once', () => {
  it("keeps each host's stdout and stderr apart, prefixed, with exit codes and a summary", async () => {
    const failing = servers[1]!.port; // exactly one host fails, with its own exit code
    const r = await runNode(CLI, [
      'exec',
      ...servers.map(host),
      ...base(),
      '--',
      `echo "served by port \${SSH_CONNECTION##* }"; echo "warning from \${SSH_CONNECTION##* }" >&2; exit $(( \${SSH_CONNECTION##* } == ${failing} ? 3 : 0 ))`,
    ]);
    for (const s of servers) {
      expect(r.stdout).toContain(`127.0.0.1:${s.port} | served by port ${s.port}\n`);
      expect(r.stderr).toContain(`127.0.0.1:${s.port} ! warning from ${s.port}\n`);
      expect(r.stdout).not.toContain(`warning from ${s.port}`);
      const row = r.stdout.split('\n').find((l) => l.startsWith(`root@127.0.0.1:${s.port} `));
      expect(row).toMatch(new RegExp(`${s.port === failing ? 'FAILED\\s+3' : 'ok\\s+0'}\\s`));
    }
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('2 of 3 hosts succeeded');
  });

  it('works on at most -c hosts at once', async () => {
    // Each run holds a lock directory for half a second; a second host inside it fails.
    const lock = join(dir.path, 'one-at-a-time');
    const r = await runNode(CLI, [
      'exec',
      ...servers.map(host),
      ...base(),
      '-c',
      '1',
      '--',
      `mkdir '${lock}' || exit 7; sleep 0.5; rmdir '${lock}'`,
    ]);
    expect(r.stdout).toContain('3 of 3 hosts succeeded');
    expect(r.code).toBe(0);
  });

  it('reports an unreachable host in the table and exits 1 while the others succeed', async () => {
    const closed = await freePort();
    const r = await runNode(CLI, [
      'exec',
      host(servers[0]!),
      `127.0.0.1:${closed}`,
      ...base(),
      '--',
      'echo hi',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`127.0.0.1:${servers[0]!.port} | hi`);
    expect(r.stdout).toMatch(
      new RegExp(`root@127.0.0.1:${closed}\\s+FAILED\\s+-.*connection refused by 127.0.0.1:${closed}`),
    );
    expect(r.stdout).toContain('1 of 2 hosts succeeded');
  });

  it('runs a command with quotes, $, backticks, backslashes and newlines exactly as given, with or without a time limit', async () => {
    const command = `printf '[%s]\\n' "it's" 'say "hi"' '$HOME' '\`id\`' 'back\\slash' "a  b" '\${X:-y}'\necho "$((6 * 7))"`;
    const expected = [
      "[it's]",
      '[say "hi"]',
      '[$HOME]',
      '[`id`]',
      '[back\\slash]',
      '[a  b]',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: printed literally by the remote printf
      '[${X:-y}]',
      '42',
    ]
      .map((l) => `127.0.0.1:${servers[1]!.port} | ${l}\n`)
      .join('');
    for (const limit of ['0', '30']) {
      const r = await runNode(CLI, ['exec', host(servers[1]!), ...base(), '-t', limit, '--', command]);
      expect(r.stderr).toBe('');
      expect(r.stdout.slice(0, r.stdout.indexOf('\n\n') + 1)).toBe(expected);
      expect(r.code).toBe(0);
    }
  });

  it('kills a command that never ends when the timeout passes', async () => {
    const marker = `fopnp-never-ends-${randomBytes(4).toString('hex')}`;
    const started = Date.now();
    const r = await runNode(
      CLI,
      ['exec', host(servers[0]!), ...base(), '-t', '1', '--', `exec -a ${marker} sleep 300`],
      {
        timeoutMs: 20_000,
      },
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED\s+signal KILL.*still running after 1 s: killed it/);
    await new Promise((res) => setTimeout(res, 500));
    const ps = await import('node:child_process').then((cp) =>
      cp.spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }),
    );
    expect(ps.stdout.trim()).toBe(''); // the remote process is gone
  });
});

describe('a time limit on a slow host', () => {
  it('still kills the command when the deadline passes before it has reported its process group', async () => {
    // This sshd runs every command 2 s late (ForceCommand), so the 1 s deadline passes
    // before the wrapper has said which process group to kill.
    const slow = await startSshd(dir.path, [userKey.publicKey], 'sshd-slow', [
      'ForceCommand sleep 2; eval "$SSH_ORIGINAL_COMMAND"',
    ]);
    try {
      writeFileSync(knownHosts, `${slow.knownHostsLine}\n`, { flag: 'a' });
      const marker = `fopnp-slow-start-${randomBytes(4).toString('hex')}`;
      const r = await runNode(
        CLI,
        ['exec', host(slow), ...base(), '-t', '1', '--', `exec -a ${marker} sleep 300`],
        {
          timeoutMs: 30_000,
        },
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/FAILED\s+signal KILL.*still running after 1 s: killed it/);
      await new Promise((res) => setTimeout(res, 500));
      const ps = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' });
      expect(ps.stdout.trim()).toBe(''); // the remote process is gone
    } finally {
      await slow.stop();
    }
  });
});

describe('shell', () => {
  it("runs the book's Hello, world round trip through an interactive shell channel", async () => {
    const r = await runNode(CLI, ['shell', host(servers[1]!), ...base()], {
      input: 'echo Hello, world\nexit 3\n',
    });
    expect(r.stdout).toContain('Hello, world\n');
    expect(r.code).toBe(3);
  });
});

describe('SFTP', () => {
  it('sends a 20 MiB file and fetches it back with equal checksums', async () => {
    const original = join(dir.path, 'payload.bin');
    const data = randomBytes(20 * 1024 * 1024);
    writeFileSync(original, data);
    const sha = createHash('sha256').update(data).digest('hex');
    const remote = join(dir.path, "remote copy, it's.bin"); // a space and a quote: sha256sum gets it quoted
    const put = await runNode(
      CLI,
      ['put', original, `127.0.0.1:${remote}`, '-p', String(servers[2]!.port), ...base()],
      { timeoutMs: 60_000 },
    );
    expect(put.stderr).toMatch(/put .*payload.bin: 20\.0 \/ 20\.0 MiB \(100%\)/);
    expect(put.stdout).toContain(`sent 20971520 bytes`);
    expect(put.stdout).toContain(`sha256 ${sha} verified (sha256sum)`);
    const back = join(dir.path, 'fetched back.bin');
    const get = await runNode(
      CLI,
      ['get', `127.0.0.1:${remote}`, back, '-p', String(servers[2]!.port), ...base()],
      { timeoutMs: 60_000 },
    );
    expect(get.code).toBe(0);
    expect(get.stderr).toMatch(/\(50%\)/);
    expect(createHash('sha256').update(readFileSync(back)).digest('hex')).toBe(sha);
  });

  it('says plainly when the remote file does not exist', async () => {
    const r = await runNode(CLI, [
      'get',
      '127.0.0.1:/nonexistent/file',
      join(dir.path, 'x'),
      '-p',
      String(servers[2]!.port),
      ...base(),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: cannot stat remote /nonexistent/file: no such file\n');
  });
});

describe('host keys and authentication', () => {
  it('refuses an unknown host key by default and records it with accept-new', async () => {
    const fresh = join(dir.path, 'fresh_known_hosts');
    const refused = await runNode(CLI, [
      'exec',
      host(servers[0]!),
      '-l',
      'root',
      '-i',
      userKey.privatePath,
      '--known-hosts',
      fresh,
      '--',
      'true',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /host key for \[127\.0\.0\.1\]:\d+ is not known \(ssh-ed25519 SHA256:[A-Za-z0-9+/]+\); refusing to connect/,
    );
    const accepted = await runNode(CLI, [
      'exec',
      host(servers[0]!),
      '-l',
      'root',
      '-i',
      userKey.privatePath,
      '--known-hosts',
      fresh,
      '--host-key-policy',
      'accept-new',
      '--',
      'echo in',
    ]);
    expect(accepted.code).toBe(0);
    expect(readFileSync(fresh, 'utf8')).toBe(`${servers[0]!.knownHostsLine}\n`);
  });

  it('refuses a changed host key loudly, even with accept-new', async () => {
    const forged = join(dir.path, 'forged_known_hosts');
    const impostor = makeKey(dir.path, 'impostor');
    writeFileSync(
      forged,
      `[127.0.0.1]:${servers[0]!.port} ${impostor.publicKey.split(' ').slice(0, 2).join(' ')}\n`,
    );
    const r = await runNode(CLI, [
      'exec',
      host(servers[0]!),
      '-l',
      'root',
      '-i',
      userKey.privatePath,
      '--known-hosts',
      forged,
      '--host-key-policy',
      'accept-new',
      '--',
      'true',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!');
    expect(r.stderr).toContain(`Offending key in ${forged}:1`);
    expect(readFileSync(forged, 'utf8').split('\n').filter(Boolean)).toHaveLength(1); // not overwritten
  });

  it('asks for the host key type known_hosts holds, as OpenSSH does, instead of crying CHANGED', async () => {
    // Only the server's ECDSA key is known (an older client recorded it); ssh2 on its own
    // would negotiate Ed25519 and see a key that differs from the recorded one.
    const ecdsaOnly = join(dir.path, 'ecdsa_known_hosts');
    writeFileSync(ecdsaOnly, `${servers[0]!.ecdsaKnownHostsLine}\n`);
    const r = await runNode(CLI, [
      'exec',
      host(servers[0]!),
      ...base().slice(0, 4),
      '--known-hosts',
      ecdsaOnly,
      '--',
      'echo ecdsa ok',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`127.0.0.1:${servers[0]!.port} | ecdsa ok`);
    expect(r.code).toBe(0);
  });

  it('reports a key the server does not accept as an authentication failure', async () => {
    const r = await runNode(CLI, [
      'exec',
      host(servers[0]!),
      '-l',
      'root',
      '-i',
      otherKey.privatePath,
      '--known-hosts',
      knownHosts,
      '--',
      'true',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/authentication failed for root@127\.0\.0\.1 \(tried: publickey\)/);
  });

  it('uses the shared error classes for a closed port and an unresolvable name', async () => {
    const closed = await freePort();
    const a = await runNode(CLI, ['shell', `127.0.0.1:${closed}`, ...base()]);
    expect(a.stderr).toBe(
      `error: connection refused by 127.0.0.1:${closed}: is the server running on that port?\n`,
    );
    expect(a.code).toBe(1);
    const b = await runNode(CLI, ['shell', 'nonexistent.invalid', ...base()]);
    expect(b.stderr).toBe(
      'error: cannot resolve host name "nonexistent.invalid": check the spelling and your DNS\n',
    );
    expect(b.code).toBe(1);
  });

  it('authenticates through ssh-agent when no key file is given', async () => {
    const agent = await run('ssh-agent', ['-s', '-a', join(dir.path, 'agent.sock')]);
    const pid = /SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1];
    expect(pid).toBeDefined();
    const env = { SSH_AUTH_SOCK: join(dir.path, 'agent.sock') };
    try {
      expect((await run('ssh-add', [userKey.privatePath], { env })).code).toBe(0);
      const r = await runNode(
        CLI,
        ['exec', host(servers[0]!), '-l', 'root', '--known-hosts', knownHosts, '--', 'echo via agent'],
        { env },
      );
      expect(r.stdout).toContain(`127.0.0.1:${servers[0]!.port} | via agent`);
      expect(r.code).toBe(0);
    } finally {
      process.kill(Number(pid), 'SIGTERM');
    }
  });

  it('opens a passphrase-protected key with SSH_KEY_PASSPHRASE, and says so when it is missing', async () => {
    const args = [
      'exec',
      host(servers[0]!),
      '-l',
      'root',
      '-i',
      lockedKey.privatePath,
      '--known-hosts',
      knownHosts,
      '--',
      'echo unlocked',
    ];
    const ok = await runNode(CLI, args, { env: { SSH_KEY_PASSPHRASE: PASSPHRASE } });
    expect(ok.stdout).toContain(`127.0.0.1:${servers[0]!.port} | unlocked`);
    expect(ok.code).toBe(0);
    const missing = await runNode(CLI, args);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/FAILED .*passphrase.*\(the passphrase comes from SSH_KEY_PASSPHRASE\)/);
    const wrong = await runNode(CLI, args, { env: { SSH_KEY_PASSPHRASE: 'not it' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/FAILED .*SSH_KEY_PASSPHRASE/);
  });

  it('calls a command line without -- a usage error (exit 2) and says where -- goes', async () => {
    const r = await runNode(CLI, ['exec', ...base(), host(servers[0]!), 'true']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error: no command (put -- between the hosts and the command); ' +
        'usage: ssh-runner exec HOST... [-l USER] [-p PORT] [-i KEY] -- COMMAND\n',
    );
  });

  it('has no flag for a password', async () => {
    const r = await runNode(CLI, ['exec', '--password', 'x', host(servers[0]!), '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid value for --password: unknown option');
  });
});
