/**
 * A target for ssh-runner in the local stack, which would otherwise have no host to run a
 * job on: a real OpenSSH server on loopback (Debian's /usr/sbin/sshd, in the foreground, its
 * own process group under the watchdog), a host key and a client key generated for this run,
 * a known_hosts line for it, and a jobs file declaring one host group (`demo`) and a few
 * harmless commands. Everything lives in `.stack/run/ssh-demo` and goes with the stack.
 * Used only when ssh-runner is started, sshd and ssh-keygen are installed, and the user set
 * no JOBS_FILE of their own.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { type LocalServer, portOpen, waitForPortOpen } from './backing.js';

/** The demo sshd's port on loopback (moved with STACK_PORT_OFFSET, as the services' are). */
export const SSH_DEMO_PORT = 2222;
export const SSH_DEMO_COMMANDS = { hostname: 'hostname', uptime: 'uptime', 'disk-free': 'df -h /' };

export interface SshDemo {
  server: LocalServer;
  /** ssh-runner's environment pointing at it. */
  env: Record<string, string>;
}

function keygen(path: string, type: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'fopnp-stack-demo', '-f', path]);
  return readFileSync(`${path}.pub`, 'utf8').trim();
}

/** Starts the demo sshd, or says why not (a string). */
export async function startSshDemo(runDir: string, portOffset: number): Promise<SshDemo | string> {
  if (!existsSync('/usr/sbin/sshd')) return 'no /usr/sbin/sshd (apt-get install openssh-server)';
  const dir = join(runDir, 'ssh-demo');
  mkdirSync(dir, { recursive: true });
  const port = SSH_DEMO_PORT + portOffset;
  if (await portOpen(port)) return `127.0.0.1:${port} is taken by something else`;
  const hostKey = keygen(join(dir, 'host_ed25519'), 'ed25519');
  const clientKey = keygen(join(dir, 'client_ed25519'), 'ed25519');
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, `${clientKey}\n`);
  chmodSync(authorized, 0o600);
  const user = userInfo().username;
  const root = userInfo().uid === 0;
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${authorized}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `PermitRootLogin ${root ? 'prohibit-password' : 'no'}`,
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  if (root) mkdirSync('/run/sshd', { recursive: true }); // privilege separation, when root
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKey.split(' ').slice(0, 2).join(' ')}\n`);
  const jobs = join(dir, 'jobs.json');
  writeFileSync(
    jobs,
    `${JSON.stringify({ hostGroups: { demo: [`${user}@127.0.0.1:${port}`] }, commands: SSH_DEMO_COMMANDS }, null, 2)}\n`,
  );
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  child.unref();
  if (!(await waitForPortOpen(port, 10_000))) {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
    return `sshd did not start on 127.0.0.1:${port}: ${stderr.trim() || 'no answer'}`;
  }
  return {
    server: {
      name: 'ssh-demo (sshd)',
      port,
      startedHere: true,
      ...(child.pid ? { pgid: child.pid } : {}),
      stop: () => {
        if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
      },
    },
    env: {
      JOBS_FILE: jobs,
      SSH_IDENTITY_FILE: join(dir, 'client_ed25519'),
      SSH_KNOWN_HOSTS: knownHosts,
      SSH_USER: user,
    },
  };
}
