/**
 * Real OpenSSH servers for the tests: each `startSshd()` makes a host key, a config that
 * listens on a free loopback port and accepts one generated user key (and optionally a
 * password), and runs Debian's /usr/sbin/sshd in the foreground. `stop()` ends it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '@fopnp/net/testing';

export interface KeyPair {
  privatePath: string;
  publicKey: string;
}

export function makeKey(
  dir: string,
  name: string,
  type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519',
  passphrase = '',
): KeyPair {
  const privatePath = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', name, '-f', privatePath]);
  return { privatePath, publicKey: readFileSync(`${privatePath}.pub`, 'utf8').trim() };
}

export interface Sshd {
  port: number;
  hostKey: KeyPair;
  /** known_hosts line for this server, as OpenSSH writes it for a non-22 port. */
  knownHostsLine: string;
  /** The same for its second host key (ECDSA), which clients prefer less than Ed25519. */
  ecdsaKnownHostsLine: string;
  stop(): Promise<void>;
}

export async function startSshd(
  dir: string,
  authorizedKeys: string[],
  name = 'sshd',
  extraConfig: string[] = [],
): Promise<Sshd> {
  const home = join(dir, name);
  mkdirSync(home, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true }); // privilege-separation directory sshd insists on
  const hostKey = makeKey(home, 'host_ed25519');
  const ecdsaHostKey = makeKey(home, 'host_ecdsa', 'ecdsa'); // two keys, as a real sshd has
  const authFile = join(home, 'authorized_keys');
  writeFileSync(authFile, `${authorizedKeys.join('\n')}\n`);
  chmodSync(authFile, 0o600);
  const port = await freePort();
  const config = join(home, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey.privatePath}`,
      `HostKey ${ecdsaHostKey.privatePath}`,
      `AuthorizedKeysFile ${authFile}`,
      `PidFile ${join(home, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `PermitRootLogin ${userInfo().uid === 0 ? 'prohibit-password' : 'no'}`,
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      'MaxStartups 50',
      ...extraConfig,
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  try {
    await waitForPort(port, '127.0.0.1', 10_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`sshd did not start: ${stderr || String(err)}`);
  }
  return {
    port,
    hostKey,
    knownHostsLine: `[127.0.0.1]:${port} ${hostKey.publicKey.split(' ').slice(0, 2).join(' ')}`,
    ecdsaKnownHostsLine: `[127.0.0.1]:${port} ${ecdsaHostKey.publicKey.split(' ').slice(0, 2).join(' ')}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Starts `count` servers at once. If one fails to start, the others are stopped before the
 * error is thrown: a beforeAll that throws leaves nothing for its afterAll to find.
 */
export async function startSshds(dir: string, authorizedKeys: string[], count: number): Promise<Sshd[]> {
  const settled = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => startSshd(dir, authorizedKeys, `sshd${i + 1}`)),
  );
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) {
    await Promise.all(started.map((s) => s.stop()));
    throw failure.reason;
  }
  return started;
}

export function tempDir(prefix = 'fopnp-ssh-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
