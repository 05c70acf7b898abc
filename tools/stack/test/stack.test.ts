import { fileURLToPath } from 'node:url';
import { run, startProcess, stopAll } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const SERVICES = [
  'http-app',
  'rabbit-pipeline',
  'redis-cache',
  'rpc-gateway',
  'ssh-runner',
  'tcp-farewell',
  'tls-inspector',
  'topology-lab',
  'udp-broadcaster',
  'zen-asyncio',
];

let upProcess: ReturnType<typeof startProcess> | undefined;

// Ctrl-C first, so a failed test leaves no services behind (SIGKILL would orphan them).
afterAll(async () => {
  if (upProcess?.child.exitCode === null) {
    upProcess.child.kill('SIGINT');
    await upProcess.exited(30_000);
  }
  await stopAll();
});

describe('the local stack', () => {
  it('brings every service up, passes the smoke tour, and stops everything on Ctrl-C', async () => {
    const up = startProcess(process.execPath, [CLI, 'up'], { env: { CI: '1' } });
    upProcess = up;
    await up.waitForOutput(/stack: all (\d+) services ready|stack: not ready/, 120_000);
    const table = up.output();
    expect(table).toMatch(/stack: all 10 services ready \(profile default\)/);
    for (const name of SERVICES)
      expect(table).toMatch(new RegExp(`\\n${name}\\s+.*http://127\\.0\\.0\\.1:91\\d\\d/readyz\\s+ready`));

    const smoke = await run(process.execPath, [CLI, 'smoke'], { timeoutMs: 120_000 });
    const passes = smoke.stdout.split('\n').filter((l) => l.startsWith('PASS'));
    // The failing lines themselves, so a red run says which step failed and why.
    expect(
      smoke.stdout
        .split('\n')
        .filter((l) => l.startsWith('FAIL'))
        .join('\n'),
    ).toBe('');
    expect(smoke.stdout).toMatch(/smoke: \d+ passed, 0 failed/);
    expect(smoke.code).toBe(0);
    // One readiness line per service, plus each service's own walk-through except
    // ssh-runner's, which has no SSH hosts declared in the default stack.
    expect(passes).toHaveLength(SERVICES.length * 2 - 1);
    expect(smoke.stdout).toContain('got "Farewell, client"');
    expect(smoke.stdout).toContain('"Ugly.", "Farewell, client"');

    up.child.kill('SIGINT');
    expect(await up.exited(30_000)).toBe(0);
    expect(up.output()).toContain('stack: stopped');
    for (const name of SERVICES.filter((n) => n !== 'rabbit-pipeline')) {
      expect(up.output()).toMatch(new RegExp(`${name}\\s+\\| .*shutdown complete`));
    }
  }, 240_000); // up waits 120 s for readiness, smoke up to 120 s: the default 30 s cut it short on a loaded machine

  it('lists the services without starting them, and rejects an unknown one', async () => {
    const status = await run(process.execPath, [CLI, 'status']);
    expect(status.code).toBe(0);
    for (const name of SERVICES) expect(status.stdout).toContain(name);
    const bad = await run(process.execPath, [CLI, 'status', '--only', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^error: invalid value for --only: unknown service\(s\): nope; known: http-app, /,
    );
  });
});
