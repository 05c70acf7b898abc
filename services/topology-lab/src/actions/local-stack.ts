/**
 * The local stack's driver: the stack's supervisor runs a control endpoint on loopback
 * (src/control/server.ts); this client lists its units and maps the lab's declared
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
    const body = (await res.json().catch(() => ({}))) as T & { error?: string };
    if (!res.ok) throw new ActionError(body.error ?? `control endpoint: HTTP ${res.status}`, res.status);
    return body;
  }

  async describe(): Promise<DriverState> {
    const units = await this.call<UnitState[]>('GET', '/units');
    const processes: ProcessView[] = units.flatMap((u) =>
      u.instances.map((i) => ({
        unit: u.name,
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
    const unit = encodeURIComponent(actionId.slice(0, dot));
    const verb = actionId.slice(dot + 1);
    type Done = { instance: string; pid: number | null };
    switch (verb) {
      case 'add':
      case 'start': {
        const r = await this.call<Done>('POST', `/units/${unit}/start`);
        return `started ${r.instance} (pid ${r.pid})`;
      }
      case 'term':
      case 'stop': {
        const r = await this.call<Done>('POST', `/units/${unit}/stop?signal=SIGTERM`);
        return `SIGTERM sent to ${r.instance} (pid ${r.pid}); it has exited`;
      }
      case 'kill': {
        const r = await this.call<Done>('POST', `/units/${unit}/stop?signal=SIGKILL`);
        return `SIGKILL sent to ${r.instance} (pid ${r.pid}); it has exited`;
      }
      default:
        throw new ActionError(`unknown verb in ${actionId}`, 400);
    }
  }
}
