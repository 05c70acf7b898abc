import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, startProcess, stopAll } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const SERVICES_DIR = fileURLToPath(new URL('../../../services/', import.meta.url));
// Every package under services/ that exports its manifest, read here without the stack's
// own discovery, so a service the stack fails to find fails this test.
const SERVICES = readdirSync(SERVICES_DIR)
  .filter((name) => {
    try {
      const pkg = JSON.parse(readFileSync(`${SERVICES_DIR}${name}/package.json`, 'utf8'));
      return Boolean(pkg.exports?.['./manifest']);
    } catch {
      return false;
    }
  })
  .sort();

let upProcess: ReturnType<typeof startProcess> | undefined;
// Its own run and state folders, not the checkout's .stack (where a developer's stack may run).
const STACK_DIR = mkdtempSync(join(tmpdir(), 'fopnp-stack-test-'));

// Ctrl-C first, so a failed test leaves no services behind (SIGKILL would orphan them).
afterAll(async () => {
  if (upProcess?.child.exitCode === null) {
    upProcess.child.kill('SIGINT');
    await upProcess.exited(30_000);
  }
  await stopAll();
  rmSync(STACK_DIR, { recursive: true, force: true });
});

describe('the local stack', () => {
  it('brings every service up, passes the smoke tour, and stops everything on Ctrl-C', async () => {
    expect(SERVICES.length).toBeGreaterThanOrEqual(9);
    const up = startProcess(process.execPath, [CLI, 'up'], { env: { CI: '1', STACK_DIR } });
    upProcess = up;
    await up.waitForOutput(/stack: all (\d+) services ready|stack: not ready/, 120_000);
    const table = up.output();
    expect(table).toMatch(new RegExp(`stack: all ${SERVICES.length} services ready \\(profile default\\)`));
    for (const name of SERVICES)
      expect(table).toMatch(new RegExp(`\\n${name}\\s+.*http://127\\.0\\.0\\.1:91\\d\\d/readyz\\s+ready`));

    const smoke = await run(process.execPath, [CLI, 'smoke'], { timeoutMs: 180_000, env: { STACK_DIR } });
    // The failing lines themselves, so a red run says which step failed and why.
    expect(
      smoke.stdout
        .split('\n')
        .filter((l) => l.startsWith('FAIL'))
        .join('\n'),
    ).toBe('');
    expect(smoke.stdout).toMatch(/smoke: \d+ passed, 0 failed\n/);
    expect(smoke.code).toBe(0);
    // Each service: its health endpoints, then at least one check of its own `./smoke`.
    const passes = smoke.stdout.split('\n').filter((l) => l.startsWith('PASS'));
    for (const name of SERVICES) {
      const own = passes.filter((l) => l.split(/\s+/)[1] === name);
      // ok, or degraded (up, with a dependency it reports as not fully there), are both 200.
      expect(own[0], name).toMatch(new RegExp(`^PASS\\s+${name}\\s+health\\s+/healthz \\w+, /readyz \\w+`));
      expect(own.length, name).toBeGreaterThanOrEqual(2);
    }
    expect(smoke.stdout).toContain('got "Farewell, client", then the server closed');
    expect(smoke.stdout).toContain('"Ugly.", "Farewell, client"');

    up.child.kill('SIGINT');
    expect(await up.exited(30_000)).toBe(0);
    expect(up.output()).toContain('stack: stopped');
    for (const name of SERVICES.filter((n) => n !== 'rabbit-pipeline')) {
      expect(up.output()).toMatch(new RegExp(`${name}\\s+\\| .*shutdown complete`));
    }
  }, 420_000); // up waits 120 s for readiness, smoke up to 180 s: the default 30 s cut it short on a loaded machine

  it('lists the services and profiles without starting them, and rejects an unknown one', async () => {
    const status = await run(process.execPath, [CLI, 'status']);
    expect(status.code).toBe(0);
    for (const name of SERVICES) expect(status.stdout).toContain(name);
    expect(status.stdout).toMatch(/\nprofiles: default, /);
    const bad = await run(process.execPath, [CLI, 'status', '--only', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^error: invalid value for --only: unknown service\(s\): nope; known: http-app, /,
    );
    const profile = await run(process.execPath, [CLI, 'status', '--profile', 'nope']);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toMatch(
      /^error: invalid value for --profile: nope is not a profile the local stack runs/,
    );
  }, 120_000);
});
