/**
 * scripts/backing.sh, the part of scripts/setup.sh that gets the local stack its Redis and
 * RabbitMQ (and PostgreSQL when asked): what it would install on a machine without them
 * (a PATH that has none of their commands), what it tells a user who cannot install, that it
 * calls apt with the dpkg lock waited for, that the wait is real (apt-get itself, against a
 * lock held by another process, on a private dpkg folder: the machine's own is not touched),
 * and that on a machine with everything it is quick and runs no apt at all.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run, startProcess } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/manifests.ts';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'backing.sh');
const tmp = mkdtempSync(path.join(tmpdir(), 'fopnp-backing-test-'));
chmodSync(tmp, 0o755); // the non-root case runs tools from it
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A folder for PATH with only the given tools (links to the real ones) and stubs. */
function binDir(name: string, tools: string[], stubs: Record<string, string> = {}): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const tool of tools) symlinkSync(`/usr/bin/${tool}`, path.join(dir, tool));
  for (const [stub, body] of Object.entries(stubs)) {
    writeFileSync(path.join(dir, stub), `#!/bin/bash\n${body}\n`);
    chmodSync(path.join(dir, stub), 0o755);
  }
  return dir;
}
const BASIC = ['tr', 'sed', 'id', 'seq', 'sleep'];
const bash = (code: string, env: NodeJS.ProcessEnv) =>
  run('/bin/bash', ['-c', `. "${SCRIPT}"; ${code}`], { env, timeoutMs: 60_000 });

describe('setup on a machine without Redis and RabbitMQ', () => {
  const bare = binDir('bare', BASIC);

  it('plans their Debian packages, and PostgreSQL only when asked', async () => {
    const env = { PATH: bare, FOPNP_SBIN: bare, FOPNP_PG_LIB: bare };
    const plan = await bash('backing_missing', env);
    expect(plan.stdout).toBe('redis-server redis-tools\nrabbitmq-server\n');
    const withPg = await bash('backing_missing', { ...env, FOPNP_POSTGRES: '1' });
    expect(withPg.stdout).toBe('redis-server redis-tools\nrabbitmq-server\npostgresql\n');
  });

  it('plans nothing once their commands are there', async () => {
    const have = binDir('have', BASIC, { 'redis-server': '', 'redis-cli': '', 'rabbitmq-server': '' });
    expect((await bash('backing_missing', { PATH: have, FOPNP_SBIN: have })).stdout).toBe('');
  });

  it('installs them as root through apt-get with the dpkg lock waited for', async () => {
    if (process.getuid?.() !== 0) return;
    const log = path.join(tmp, 'apt.log');
    // Redis and RabbitMQ already answer on this machine, so nothing is started after the install.
    const dir = binDir('apt', BASIC, { 'apt-get': `echo "$*" >> "${log}"` });
    const r = await bash('ensure_backing', { PATH: dir, FOPNP_SBIN: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe(
      [
        '-o DPkg::Lock::Timeout=600 update -qq',
        '-o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends redis-server redis-tools rabbitmq-server',
        '',
      ].join('\n'),
    );
  });

  it('tells a user who cannot install what to install, in one message, and goes on', async () => {
    if (process.getuid?.() !== 0) return; // needs root to become another user
    const log = path.join(tmp, 'apt-nonroot.log');
    const dir = binDir('nonroot', [...BASIC, 'setpriv'], { 'apt-get': `echo "$*" >> "${log}"` });
    const r = await run(
      '/usr/bin/setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '/bin/bash',
        // bash reads ~/.bashrc even with -c when its stdin is a socket (as under a CI
        // runner); the user it became cannot read root's, and says so on stderr.
        '--norc',
        '--noprofile',
        '-c',
        `. "${SCRIPT}"; ensure_backing`,
      ],
      { env: { PATH: dir, FOPNP_SBIN: dir, HOME: tmp }, timeoutMs: 60_000 },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^setup: the local stack needs these Debian\/Ubuntu packages, which are missing: redis-server redis-tools rabbitmq-server\n/,
    );
    expect(r.stderr).toContain('brew install redis rabbitmq');
    expect(() => readFileSync(log)).toThrow();
  });
});

describe('apt while another apt holds the dpkg lock', () => {
  it('waits for it (DPkg::Lock::Timeout) instead of failing, and fails at once without the wait', async () => {
    const admin = path.join(tmp, 'dpkg');
    mkdirSync(path.join(admin, 'updates'), { recursive: true });
    mkdirSync(path.join(tmp, 'cache', 'archives', 'partial'), { recursive: true });
    writeFileSync(path.join(admin, 'status'), '');
    // A private dpkg folder: apt takes its lock-frontend there, not the machine's.
    const aptArgs = `-o Dir::State::status=${admin}/status -o Dir::Cache=${tmp}/cache install -y`;
    const hold = (seconds: number) =>
      startProcess('python3', [
        '-c',
        `import fcntl,time\nf=open('${admin}/lock-frontend','w')\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint('held',flush=True)\ntime.sleep(${seconds})`,
      ]);

    const holder = hold(3);
    await holder.waitForOutput(/held/);
    const t0 = Date.now();
    const waited = await bash(`apt_get ${aptArgs}`, {
      PATH: process.env.PATH,
      FOPNP_APT_LOCK_TIMEOUT: '120',
    });
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toContain('0 newly installed');
    // It returned only once the other process had let go.
    expect(holder.child.exitCode).not.toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);

    const again = hold(30);
    await again.waitForOutput(/held/);
    const failed = await bash(`apt_get ${aptArgs}`, { PATH: process.env.PATH, FOPNP_APT_LOCK_TIMEOUT: '0' });
    await again.stop('SIGKILL');
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/Could not get lock .*lock-frontend/);
  }, 120_000);
});

describe('setup on a machine that has everything', () => {
  it('checks Redis and RabbitMQ in well under a second each run, with no apt at all', async () => {
    const log = path.join(tmp, 'apt-full.log');
    const dir = binDir('full', [], { 'apt-get': `echo "$*" >> "${log}"` });
    const t0 = Date.now();
    const r = await run('/bin/bash', [SCRIPT], { env: { PATH: `${dir}:${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
    expect(() => readFileSync(log)).toThrow();
    expect(Date.now() - t0).toBeLessThan(5000); // a bound for load 20; measured 44 ms idle
  });
});
