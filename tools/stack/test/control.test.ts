/**
 * The stack's control endpoint for topology-lab: `pnpm stack up` with the pipeline and the
 * lab; the lab's actions, called as the page calls them, start and kill real judge
 * processes (the process table) whose connections the broker then lists and drops
 * (ss for the process's own ports, rabbitmqctl for the broker's view); Ctrl-C leaves none.
 */
import { fileURLToPath } from 'node:url';
import { run, sleep, startProcess, stopAll } from '@fopnp/net/testing';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const LAB = 'http://127.0.0.1:8010';

let upProcess: ReturnType<typeof startProcess> | undefined;
afterAll(async () => {
  if (upProcess?.child.exitCode === null) {
    upProcess.child.kill('SIGINT');
    await upProcess.exited(30_000);
  }
  await stopAll();
});

/** Pids of judge processes whose parent is the stack (ps, the real process table). */
async function judgesOf(stackPid: number): Promise<number[]> {
  const ps = await run('ps', ['-eo', 'pid=,ppid=,args=']);
  return ps.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(
      (f) =>
        Number(f[1]) === stackPid && f.slice(2).join(' ').includes('rabbit-pipeline/dist/src/cli.js judge'),
    )
    .map((f) => Number(f[0]));
}

/** Local ports of a process's connections to the broker (ss, the kernel's socket table). */
async function amqpPortsOf(pid: number): Promise<number[]> {
  const ss = await run('ss', ['-tnpH', 'state', 'established', '( dport = :5672 )']);
  return ss.stdout
    .split('\n')
    .filter((l) => l.includes(`pid=${pid},`))
    .map((l) => Number(/:(\d+)\s+\S+:5672/.exec(l)?.[1]));
}

/** Peer ports of the broker's connections (rabbitmqctl): whom the broker has a connection from. */
async function brokerPeerPorts(): Promise<number[]> {
  const r = await run('rabbitmqctl', ['-q', 'list_connections', 'peer_port', '--no-table-headers'], {
    timeoutMs: 30_000,
  });
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
}

/** The broker lists the process's connection to it (the other helpers' pipelines share the broker). */
async function brokerHasConnectionOf(pid: number): Promise<boolean> {
  const mine = await amqpPortsOf(pid);
  const theirs = await brokerPeerPorts();
  return mine.length > 0 && mine.every((p) => theirs.includes(p));
}

async function until<T>(
  what: string,
  fn: () => Promise<T | false | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    await sleep(300);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const act = (id: string) =>
  fetch(`${LAB}/api/actions/${id}`, { method: 'POST', headers: { 'x-lab-action': '1' } }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as { ok?: boolean; detail?: string },
  }));

describe("the stack's control endpoint", () => {
  it("lets topology-lab add and SIGKILL judges of the stack's pipeline, and stops them with the stack", async () => {
    const up = startProcess(process.execPath, [CLI, 'up', '--only', 'rabbit-pipeline,topology-lab'], {
      env: { CI: '1' },
    });
    upProcess = up;
    await up.waitForOutput(
      /stack: topology-lab on (\S+) \(actions: judge, slow-judge \(control http:\/\/127\.0\.0\.1:\d+\)\)/,
      120_000,
    );
    const stackPid = up.child.pid!;

    const state = (await (await fetch(`${LAB}/api/state`)).json()) as {
      control: { health: string; actions: { id: string }[] };
    };
    expect(state.control.health).toBe('up');
    expect(state.control.actions.map((a) => a.id)).toEqual(
      expect.arrayContaining(['judge.add', 'judge.term', 'judge.kill', 'slow-judge.add']),
    );
    expect(await judgesOf(stackPid)).toEqual([]);

    const added = await act('judge.add');
    expect(added.status).toBe(200);
    expect(added.body.detail).toMatch(/started judge-\d+ \(pid \d+\)/);
    const [pid] = await until('a judge process under the stack', async () => {
      const j = await judgesOf(stackPid);
      return j.length === 1 ? j : false;
    });
    await until('its connection on the broker (ss + rabbitmqctl)', () => brokerHasConnectionOf(pid!));
    const ports = await amqpPortsOf(pid!);

    const killed = await act('judge.kill');
    expect(killed.body.detail).toContain('SIGKILL sent to judge-');
    expect(await judgesOf(stackPid)).toEqual([]);
    await until('its connection gone from the broker (rabbitmqctl)', async () => {
      const theirs = await brokerPeerPorts();
      return ports.every((p) => !theirs.includes(p));
    });

    // One left running when the stack stops: Ctrl-C stops it too.
    await act('slow-judge.add');
    const [slow] = await until('a slow judge', async () => {
      const j = await judgesOf(stackPid);
      return j.length === 1 ? j : false;
    });
    up.child.kill('SIGINT');
    expect(await up.exited(30_000)).toBe(0);
    const ps = await run('ps', ['-p', String(slow), '-o', 'pid=']);
    expect(ps.stdout.trim()).toBe('');
    expect(pid).not.toBe(slow);
  }, 240_000);
});
