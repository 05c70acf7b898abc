/**
 * The local stack's driver: the stack's supervisor runs a control endpoint on loopback
 * (src/control/endpoint.ts); this client lists its units and maps the lab's declared
 * actions onto start/stop calls.
 */
import type { UnitState } from '../control/units.js';
import { LabError } from '../errors.js';
import type { ActionView, ProcessView } from '../snapshot.js';
import { ActionError, type Driver, type DriverState, SCALABLE_VERBS, SINGLE_VERBS } from './driver.js';

export function actionsOf(units: UnitState[]): ActionView[] {
  const out: ActionView[] = [];
  for (const u of units) {
    const verbs = u.scalable ? SCALABLE_VERBS : SINGLE_VERBS;
    for (const [verb, label] of Object.entries(verbs))
      out.push({ id: `${u.name}.${verb}`, label: label(u.name), description: u.description });
  }
  return out;
}

type Done = { instance: string; pid: number | null };

export class LocalStackDriver implements Driver {
  readonly name = 'local-stack';

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 20_000,
  ) {}

  private async call<T>(method: 'GET' | 'POST', path: string): Promise<T> {
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}` },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = (await res.json().catch(() => ({}))) as T & { error?: { message?: string } };
    if (!res.ok)
      throw new ActionError(body.error?.message ?? `control endpoint: HTTP ${res.status}`, res.status);
    return body;
  }

  async describe(): Promise<DriverState> {
    const units = await this.call<UnitState[]>('GET', '/units');
    const processes: ProcessView[] = units.flatMap((u) =>
      u.instances.map((i) => ({
        unit: u.name,
        address: u.address,
        kind: u.kind,
        instance: i.instance,
        pid: i.pid,
        state: i.state,
      })),
    );
    return { processes, actions: actionsOf(units) };
  }

  async run(actionId: string): Promise<string> {
    const { actions } = await this.describe();
    if (!actions.some((a) => a.id === actionId))
      throw new LabError('NO_ACTION', actionId, actions.map((a) => a.id).join(', '));
    const dot = actionId.lastIndexOf('.');
    const unit = actionId.slice(0, dot);
    const verb = actionId.slice(dot + 1);
    switch (verb) {
      case 'add':
      case 'start':
        return this.startUnit(unit);
      case 'term':
      case 'stop':
        return this.stopUnit(unit, 'SIGTERM');
      case 'kill':
        return this.stopUnit(unit, 'SIGKILL');
      default:
        throw new ActionError(`unknown verb in ${actionId}`, 400);
    }
  }

  async startUnit(unit: string): Promise<string> {
    const r = await this.call<Done>('POST', `/units/${encodeURIComponent(unit)}/start`);
    return `started ${r.instance} (pid ${r.pid})`;
  }

  async stopUnit(unit: string, signal: 'SIGTERM' | 'SIGKILL'): Promise<string> {
    const r = await this.call<Done>('POST', `/units/${encodeURIComponent(unit)}/stop?signal=${signal}`);
    return `${signal} sent to ${r.instance} (pid ${r.pid}); it has exited`;
  }
}
