/**
 * The one composition of the book's roles in a process, used by the role commands (`tally`,
 * `judge`, …, `all`) and by `serve`: the consumer roles started in the order that keeps
 * early messages from waiting, tally's HTTP port when tally runs here, and bitsource
 * publishing until its count or until stopped. Callers only choose how to report (book
 * lines on stdout, or log lines).
 */
import type http from 'node:http';
import { listen } from '@fopnp/net';
import { ROLES, type Role } from './manifest.js';
import {
  type Pipeline,
  type RoleHandle,
  runBitsource,
  startAlwaysYes,
  startJudge,
  startPythagoras,
  startTally,
  type TallyOptions,
} from './pipeline.js';
import { createTallyServer, Tally } from './tally.js';
import { defaultTallyStateFile } from './tally-state.js';

export function rolesOf(role: Role | 'all'): Role[] {
  return role === 'all' ? [...ROLES] : [role];
}

/** tally's options as the CLI and `serve` hold them (from the manifest). */
export interface TallyRoleOptions {
  tallyStateFile?: string;
  tallyCheckpointMs?: number;
  tallyCheckpointEvery?: number;
  onDecision?: (t: Tally) => void;
}

/** Starts the consumer roles in the order that keeps early messages from waiting. */
export async function startRoles(
  p: Pipeline,
  roles: readonly Role[],
  tally?: Tally,
  tallyOptions?: TallyRoleOptions,
): Promise<Partial<Record<Role, RoleHandle>>> {
  const handles: Partial<Record<Role, RoleHandle>> = {};
  if (roles.includes('tally')) {
    handles.tally = await startTally(p, tallyOptionsOf(p, tallyOptions ?? {}), tally);
  }
  if (roles.includes('pythagoras')) handles.pythagoras = await startPythagoras(p);
  if (roles.includes('judge')) handles.judge = await startJudge(p);
  if (roles.includes('always-yes')) handles['always-yes'] = await startAlwaysYes(p);
  return handles;
}

function tallyOptionsOf(p: Pipeline, o: TallyRoleOptions): TallyOptions {
  return {
    stateFile: o.tallyStateFile || defaultTallyStateFile(p.options.prefix),
    ...(o.tallyCheckpointMs !== undefined ? { checkpointMs: o.tallyCheckpointMs } : {}),
    ...(o.tallyCheckpointEvery !== undefined ? { checkpointEvery: o.tallyCheckpointEvery } : {}),
    ...(o.onDecision ? { onDecision: o.onDecision } : {}),
  };
}

export interface RoleSetOptions extends TallyRoleOptions {
  /** tally's HTTP port and address (when tally runs here). */
  port: number;
  host: string;
  /** bitsource: how many points (0 = until stopped) and how fast (0 = as fast as confirms allow). */
  points: number;
  rate: number;
  /** Told the tally HTTP port once it listens. */
  onTallyListening?: (port: number) => void;
  /** The counts tally keeps, when the caller watches them from the start (metrics). */
  tally?: Tally;
  /** Applied to tally's HTTP server before it listens (the service's `ctx.limitHttp`). */
  limitHttp?: (server: http.Server) => http.Server;
}

/** The roles running in this process. */
export interface RunningRoles {
  handles: Partial<Record<Role, RoleHandle>>;
  tally?: Tally;
  /** tally's bound HTTP port. */
  port?: number;
  /** bitsource's run: the number of points published and confirmed. */
  bitsource?: Promise<number>;
  /** Stops bitsource, waits for it, closes the consumers and tally's HTTP port (not the pipeline). */
  close(): Promise<void>;
}

/** Starts `roles` over the pipeline `p`. */
export async function startRoleSet(
  p: Pipeline,
  roles: readonly Role[],
  options: RoleSetOptions,
): Promise<RunningRoles> {
  const tally = roles.includes('tally') ? (options.tally ?? new Tally()) : undefined;
  const handles = await startRoles(p, roles, tally, options);
  const server = tally ? createTallyServer(tally) : undefined;
  if (server) options.limitHttp?.(server);
  let port: number | undefined;
  if (server) {
    port = await listen(server, options.port, options.host, 'tally HTTP port');
    options.onTallyListening?.(port);
  }
  const stopSource = new AbortController();
  const bitsource = roles.includes('bitsource')
    ? runBitsource(p, { points: options.points, rate: options.rate, signal: stopSource.signal })
    : undefined;
  let closed: Promise<void> | undefined;
  return {
    handles,
    ...(tally ? { tally } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(bitsource ? { bitsource } : {}),
    close() {
      closed ??= (async () => {
        stopSource.abort();
        await bitsource?.catch(() => {}); // its caller reports how it ended
        for (const h of Object.values(handles)) await h.close();
        if (server) {
          server.closeAllConnections();
          await new Promise<void>((r) => server.close(() => r()));
        }
      })();
      return closed;
    },
  };
}
