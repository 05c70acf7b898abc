/**
 * The stack owns its children: they die with it however it ends (Ctrl-C, `down`, SIGKILL,
 * its parent killed), a second start over a running stack is refused, a dead stack's
 * leftovers are stopped by the next start, a crashed service is restarted with backoff; it
 * runs as a non-root user and takes the user's environment over compose's. Checked on the
 * real process table (kill 0 on the recorded process groups).
 *
 * Each run has its own STACK_DIR and moves every service port by STACK_PORT_OFFSET, so it
 * runs beside a developer's stack, compose's end-to-end run or another checkout's tests.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, sleep, startProcess, stopAll } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fopnp-stack-test-'));
// Below the ephemeral range (32768+), clear of the declared ports (1060–9110) and of
// RabbitMQ's 15672/25672: services land on 11060–23110.
const offset = 10_000 + 100 * Math.floor(Math.random() * 140);
const ENV = { STACK_DIR: dir, STACK_PORT_OFFSET: String(offset), CI: '1' };
const ONLY = ['--only', 'tcp-farewell,zen-asyncio'];

interface Record {
  pid: number;
  watchdogPid?: number;
  groups: { name: string; pgid: number }[];
}
const record = (): Record => JSON.parse(readFileSync(join(dir, 'run', 'stack.json'), 'utf8')) as Record;

/** Alive and not a zombie (a re-parented process is reaped by whoever adopted it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const started: ReturnType<typeof startProcess>[] = [];
/** The stack the first test leaves running for the next two. */
let live: ReturnType<typeof startProcess>;
function up(args: string[] = ONLY, env: NodeJS.ProcessEnv = {}) {
  const p = startProcess(process.execPath, [CLI, 'up', ...args], { env: { ...ENV, ...env } });
  started.push(p);
  return p;
}
const ready = (p: ReturnType<typeof startProcess>, n = 2) =>
  p.waitForOutput(new RegExp(`stack: all ${n} services ready|stack: not ready|^error:`, 'm'), 120_000);
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, [CLI, ...args], { env: { ...ENV, ...env }, timeoutMs: 90_000 });

afterAll(async () => {
  for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGINT');
  await Promise.all(started.map((p) => p.exited(30_000)));
  await cli(['down']);
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("the stack's children", () => {
  it('die with the stack when it is SIGKILLed (its watchdog), and the next start says so', async () => {
    const first = up();
    await ready(first);
    expect(first.output()).toMatch(/stack: all 2 services ready/);
    const { pid, groups } = record();
    expect(groups.map((g) => g.name).sort()).toEqual(['tcp-farewell', 'zen-asyncio']);
    for (const g of groups) expect(alive(g.pgid), g.name).toBe(true);

    // A second start over it is refused, naming it.
    const second = await cli(['up', ...ONLY]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`a stack is already running here (pid ${pid}, profile default`);
    const status = await cli(['status', ...ONLY]);
    expect(status.stdout).toMatch(
      new RegExp(`^stack: running \\(pid ${pid}, profile default, .*2 of 2 ready`),
    );
    expect(status.stdout).toMatch(/tcp-farewell .* ready\n/);

    process.kill(pid, 'SIGKILL');
    await until('the children to die with the stack', () => groups.every((g) => !alive(g.pgid)));

    const third = up();
    live = third;
    await ready(third);
    expect(third.output()).toMatch(
      /stack: from the last run: .* the stack ended without stopping (tcp-farewell, zen-asyncio|zen-asyncio, tcp-farewell); the watchdog stopped them/,
    );
    expect(third.output()).toMatch(/stack: all 2 services ready/);
  }, 240_000);

  it('are restarted with backoff when one crashes, and the stack says so', async () => {
    const current = live;
    const before = record().groups.find((g) => g.name === 'tcp-farewell')!;
    // `pnpm stack logs -f` in another terminal sees the restarted process's lines too.
    const follow = startProcess(process.execPath, [CLI, 'logs', '-f', '-n', '0', '--only', 'tcp-farewell'], {
      env: ENV,
    });
    started.push(follow);
    process.kill(before.pgid, 'SIGKILL');
    await current.waitForOutput(
      /stack: tcp-farewell exited \(signal SIGKILL\); restarting it in 1\.0 s \(restart 1 of 5 in a row\)/,
      30_000,
    );
    await current.waitForOutput(/stack: tcp-farewell is ready again \(restart 1\)/, 90_000);
    await follow.waitForOutput(
      /tcp-farewell +\| \d\d:\d\d:\d\d\.\d{3} INFO {2}farewell server listening/,
      30_000,
    );
    follow.child.kill('SIGINT');
    expect(await follow.exited(10_000)).toBe(0);
    const after = record().groups.find((g) => g.name === 'tcp-farewell')!;
    expect(after.pgid).not.toBe(before.pgid);
    expect(alive(after.pgid)).toBe(true);
    const status = await cli(['status', ...ONLY]);
    expect(status.stdout).toMatch(/2 of 2 ready/);
  }, 150_000);

  it('stop with `pnpm stack down` from another terminal', async () => {
    const current = live;
    const { pid, groups } = record();
    const down = await cli(['down']);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain(`stack: stopped the stack (pid ${pid})`);
    expect(await current.exited(30_000)).toBe(0);
    expect(current.output()).toContain('stack: stopped');
    for (const g of groups) expect(alive(g.pgid), g.name).toBe(false);
    expect(existsSync(join(dir, 'run'))).toBe(false);
    expect((await cli(['status', ...ONLY])).stdout).toMatch(/^stack: not running here\n/);
    // The logs outlive the stack, readable or as written.
    const logs = await cli(['logs', '-n', '3', '--only', 'tcp-farewell']);
    expect(logs.stdout).toMatch(/tcp-farewell +\| \S+ INFO {2}shutdown complete\n/);
    const json = await cli(['logs', '--log-format', 'json', '--only', 'zen-asyncio']);
    expect(json.stdout).toMatch(/zen-asyncio +\| \{"level":"info".*"msg":"zen listening"\}\n/);
  }, 120_000);

  it('left running by a stack whose watchdog was killed too are stopped by the next start', async () => {
    const first = up();
    await ready(first);
    const { pid, watchdogPid, groups } = record();
    expect(watchdogPid).toBeGreaterThan(0);
    process.kill(watchdogPid!, 'SIGKILL');
    process.kill(pid, 'SIGKILL');
    await first.exited(10_000);
    await sleep(500);
    for (const g of groups) expect(alive(g.pgid), `${g.name} left behind`).toBe(true);
    const next = up();
    await ready(next);
    expect(next.output()).toMatch(
      new RegExp(
        `stack: the previous stack \\(pid ${pid}\\) ended without stopping .*tcp-farewell.*; stopped them now`,
      ),
    );
    for (const g of groups) expect(alive(g.pgid), g.name).toBe(false);
    next.child.kill('SIGINT');
    expect(await next.exited(30_000)).toBe(0);
  }, 240_000);

  it('stop when the process that started the stack is killed (SIGTERM to `pnpm stack up`)', async () => {
    // pnpm runs the stack under a shell; SIGTERM to it leaves the stack re-parented.
    const shell = startProcess('sh', ['-c', `"${process.execPath}" "${CLI}" up --only tcp-farewell; :`], {
      env: ENV,
    });
    started.push(shell);
    await shell.waitForOutput(/stack: all 1 services ready|^error:/m, 120_000);
    const { pid, groups } = record();
    shell.child.kill('SIGTERM');
    await until(
      'the stack to notice its parent is gone and stop',
      () => !alive(pid) && groups.every((g) => !alive(g.pgid)),
    );
  }, 180_000);
});

describe('the stack and its environment', () => {
  it("takes the user's settings over compose's, but never a listening port", async () => {
    const p = up(['--only', 'tcp-farewell'], { LOG_LEVEL: 'warn', PORT: '1' });
    await ready(p, 1);
    expect(p.output()).toContain('stack: tcp-farewell takes from your environment: LOG_LEVEL=warn\n');
    // At warn, the service's info lines are gone; its port is still the stack's.
    expect(p.output()).not.toContain('farewell server listening');
    expect(p.output()).toContain(`farewell 127.0.0.1:${1060 + offset}/tcp`);
    p.child.kill('SIGINT');
    expect(await p.exited(30_000)).toBe(0);
  }, 150_000);

  it("runs the pipeline profile's π roles as separate processes, and its tally estimates pi", async () => {
    const roles = 'bitsource,always-yes,judge,pythagoras,tally';
    // Its own queues: compose's pipeline profile may be running on the same broker.
    const env = { AMQP_PREFIX: 'stack-test-pipeline' };
    const p = up(['--profile', 'pipeline', '--only', roles], env);
    await ready(p, 5);
    expect(p.output()).toMatch(/stack: all 5 services ready \(profile pipeline\)/);
    const { groups } = record();
    expect(groups.map((g) => g.name).sort()).toEqual(roles.split(',').sort());
    const smoke = await cli(['smoke', '--profile', 'pipeline', '--only', 'tally'], env);
    expect(smoke.stdout).toMatch(/PASS +tally +pi estimate +pi ≈ 3\.\d+ after \d+ points/);
    expect(smoke.code).toBe(0);
    p.child.kill('SIGINT');
    expect(await p.exited(60_000)).toBe(0);
    for (const g of groups) expect(alive(g.pgid), g.name).toBe(false);
  }, 240_000);

  it("runs the cluster profile with compose's 5 s node timeout, its data in .stack/run, gone with the stack even on SIGKILL", async () => {
    // The six nodes take fixed ports (7101-7106): a cluster someone else runs there is reused
    // by the stack, which then proves nothing here.
    const taken = await run('bash', ['-c', '(exec 3<>/dev/tcp/127.0.0.1/7101) 2>/dev/null']);
    if (taken.code === 0) return;
    const p = up(['--profile', 'cluster', '--only', 'redis-cache']);
    await ready(p, 1);
    expect(p.output()).toMatch(/redis-node-5 +- +127\.0\.0\.1:7106\/tcp .* started here/);
    const timeout = await run('redis-cli', ['-p', '7101', 'config', 'get', 'cluster-node-timeout']);
    expect(timeout.stdout.split('\n')[1]).toBe('5000');
    expect(existsSync(join(dir, 'run', 'redis-cluster', 'nodes-7101.conf'))).toBe(true);
    const { pid, groups } = record();
    const nodes = groups.filter((g) => g.name.startsWith('redis-node-'));
    expect(nodes).toHaveLength(6);
    process.kill(pid, 'SIGKILL');
    await until('the cluster nodes to die with the stack', () => nodes.every((g) => !alive(g.pgid)));
    const down = await cli(['down']);
    expect(down.code).toBe(0);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  }, 240_000);

  it('gives ssh-runner a demo sshd of its own, where a declared job runs, gone with the stack', async () => {
    if (!existsSync('/usr/sbin/sshd')) return; // openssh-server: ssh-runner's ci/prereqs.sh installs it
    const p = up(['--only', 'ssh-runner']);
    await ready(p, 1);
    const m =
      /stack: ssh-runner runs jobs on a demo sshd at 127\.0\.0\.1:(\d+) .*Bearer (\S+)" (http:\S+)/.exec(
        p.output(),
      );
    expect(m, p.output()).not.toBeNull();
    expect(Number(m![1])).toBe(2222 + offset);
    const res = await fetch(m![3]!, { method: 'POST', headers: { authorization: `Bearer ${m![2]}` } });
    const job = (await res.json()) as { ok: boolean; results: { exitCode: number; stdout: string }[] };
    expect(res.status).toBe(200);
    expect(job.ok).toBe(true);
    expect(job.results[0]!.stdout).toMatch(/load average/);
    const { pid, groups } = record();
    const sshd = groups.find((g) => g.name.startsWith('ssh-demo'))!;
    expect(alive(sshd.pgid)).toBe(true);
    process.kill(pid, 'SIGKILL');
    await until('the demo sshd to die with the stack', () => !alive(sshd.pgid));
    expect((await cli(['down'])).code).toBe(0);
  }, 180_000);

  it('runs as a non-root user, state in STACK_DIR, the pipeline included', async () => {
    if (process.getuid?.() !== 0) return; // needs root to become another user
    // A STACK_DIR of its own: the other tests' run and state folders are root's.
    const own = mkdtempSync(join(tmpdir(), 'fopnp-stack-nonroot-'));
    chmodSync(own, 0o777);
    const prefix = 'stack-test-nonroot';
    const p = startProcess(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        CLI,
        'up',
        '--only',
        'tcp-farewell,rabbit-pipeline',
      ],
      { env: { ...ENV, STACK_DIR: own, HOME: own, AMQP_PREFIX: prefix } },
    );
    started.push(p);
    await ready(p, 2);
    expect(p.output()).toMatch(/stack: all 2 services ready/);
    expect(p.output()).toContain(`AMQP_PREFIX=${prefix}`);
    const { pid } = JSON.parse(readFileSync(join(own, 'run', 'stack.json'), 'utf8')) as Record;
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^Uid:\s+65534\s/m);
    expect(existsSync(join(own, 'state', 'tally-state', 'tally.json'))).toBe(true);
    p.child.kill('SIGINT');
    expect(await p.exited(60_000)).toBe(0);
    expect(p.output()).toContain('stack: stopped');
    rmSync(own, { recursive: true, force: true });
  }, 180_000);
});
