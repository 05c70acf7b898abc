/**
 * The processes an orchestrator lets the lab start and stop: a fixed list of declared
 * units (a pipeline role, a Redis shard), each with the exact command the stack chose.
 * Nothing here takes a command, host or file from a caller: a caller names a unit, and
 * may only start one more instance of it or stop one with SIGTERM or SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '@fopnp/net';
import { LabError } from '../errors.js';

export interface UnitSpec {
  /** Name on the page and in the API: lower-case letters, digits, dashes. */
  name: string;
  /** 'role' (a rabbit-pipeline role) or 'redis' (a Redis server) — what the page groups it under. */
  kind: 'role' | 'redis';
  description: string;
  /** Several instances may run at once (judges); otherwise start is refused while one runs. */
  scalable: boolean;
  /** host:port the unit serves on (a Redis server), so the lab can tell which node it is. */
  address?: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Instances started when the control starts. @default 1 */
  initial?: number;
}

export interface InstanceState {
  instance: string;
  pid: number | null;
  state: 'running' | 'stopped';
}

export interface UnitState {
  name: string;
  kind: UnitSpec['kind'];
  address: string | null;
  description: string;
  scalable: boolean;
  instances: InstanceState[];
}

export const STOP_SIGNALS = ['SIGTERM', 'SIGKILL'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

interface Instance {
  id: string;
  child: ChildProcess;
  exited: Promise<void>;
  running: boolean;
}

const NAME = /^[a-z][a-z0-9-]{0,40}$/;

export class ProcessControl {
  private readonly units = new Map<string, UnitSpec>();
  private readonly instances = new Map<string, Instance[]>();
  private serial = 0;

  constructor(
    specs: readonly UnitSpec[],
    private readonly logger: Logger,
    private readonly onLine: (unit: string, line: string) => void = () => {},
  ) {
    for (const s of specs) {
      if (!NAME.test(s.name)) throw new Error(`unit name ${JSON.stringify(s.name)}: use a-z, 0-9 and -`);
      if (this.units.has(s.name)) throw new Error(`unit ${s.name} declared twice`);
      this.units.set(s.name, s);
      this.instances.set(s.name, []);
    }
  }

  /** Starts each unit's initial instances. */
  startInitial(): void {
    for (const s of this.units.values()) for (let i = 0; i < (s.initial ?? 1); i++) this.start(s.name);
  }

  list(): UnitState[] {
    return [...this.units.values()].map((s) => ({
      name: s.name,
      kind: s.kind,
      address: s.address ?? null,
      description: s.description,
      scalable: s.scalable,
      instances: (this.instances.get(s.name) ?? []).map((i) => ({
        instance: i.id,
        pid: i.running ? (i.child.pid ?? null) : null,
        state: i.running ? 'running' : 'stopped',
      })),
    }));
  }

  private spec(name: string): UnitSpec {
    const s = this.units.get(name);
    if (!s) throw new LabError('NO_UNIT', name, [...this.units.keys()].join(', '));
    return s;
  }

  start(name: string): InstanceState {
    const s = this.spec(name);
    const list = this.instances.get(name)!;
    if (!s.scalable && list.some((i) => i.running)) throw new LabError('UNIT_RUNNING', name);
    // Stopped instances of a non-scalable unit are replaced, so the list stays short.
    if (!s.scalable) list.splice(0, list.length);
    const id = `${name}-${++this.serial}`;
    const child = spawn(s.command, s.args, {
      env: { ...process.env, ...s.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const inst: Instance = { id, child, running: true, exited: Promise.resolve() };
    inst.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        inst.running = false;
        this.logger.info({ unit: name, instance: id, code, signal }, 'unit instance exited');
        resolve();
      });
      child.on('error', (err) => {
        inst.running = false;
        this.logger.error({ unit: name, instance: id, err: err.message }, 'unit instance failed to start');
        resolve();
      });
    });
    for (const stream of [child.stdout!, child.stderr!])
      createInterface({ input: stream }).on('line', (line) => this.onLine(id, line));
    list.push(inst);
    this.logger.info({ unit: name, instance: id, pid: child.pid }, 'unit instance started');
    return { instance: id, pid: child.pid ?? null, state: 'running' };
  }

  /** Stops the newest running instance with `signal`; resolves once it has exited. */
  async stop(name: string, signal: StopSignal, timeoutMs = 15_000): Promise<InstanceState> {
    this.spec(name);
    if (!STOP_SIGNALS.includes(signal)) throw new LabError('BAD_SIGNAL', STOP_SIGNALS.join(', '));
    const inst = (this.instances.get(name) ?? []).filter((i) => i.running).at(-1);
    if (!inst) throw new LabError('NO_INSTANCE', name);
    const pid = inst.child.pid ?? null;
    inst.child.kill(signal);
    const t = setTimeout(() => inst.child.kill('SIGKILL'), timeoutMs);
    await inst.exited;
    clearTimeout(t);
    // Stopped instances of a scalable unit are forgotten; the page shows the running ones.
    const list = this.instances.get(name)!;
    if (this.spec(name).scalable) list.splice(list.indexOf(inst), 1);
    return { instance: inst.id, pid, state: 'stopped' };
  }

  async stopAll(graceMs = 10_000): Promise<void> {
    const all = [...this.instances.values()].flat().filter((i) => i.running);
    await Promise.all(
      all.map(async (i) => {
        i.child.kill('SIGTERM');
        const t = setTimeout(() => i.child.kill('SIGKILL'), graceMs);
        await i.exited;
        clearTimeout(t);
      }),
    );
  }
}
