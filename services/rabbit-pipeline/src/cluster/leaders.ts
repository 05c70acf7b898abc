/**
 * `rabbit-pipeline leaders`: where each of a prefix's queues lives in a cluster — a
 * quorum queue's leader, its members, and which of them are online. AMQP does not tell
 * a client this, and the management plugin is not assumed, so the command asks a node
 * the way an operator would: `rabbitmqctl -n NODE list_queues name type leader members
 * online --formatter json`. rabbitmqctl needs the cluster's Erlang cookie (in
 * `$HOME/.erlang.cookie`): run it where the nodes run, as their user.
 */
import { spawn } from 'node:child_process';
import { defineCommand, type OptionSpecs } from '@fopnp/net/cli';
import { RabbitmqctlError } from '../errors.js';
import type { brokerOptions } from '../manifest.js';

export interface QueuePlacement {
  name: string;
  type: string;
  /** The quorum queue's leader node; '' for a classic queue. */
  leader: string;
  members: string[];
  online: string[];
}

/** The rabbitmqctl arguments that ask for every queue's placement, as JSON. */
export const PLACEMENT_QUERY = [
  'list_queues',
  'name',
  'type',
  'leader',
  'members',
  'online',
  '--formatter',
  'json',
];

/** rabbitmqctl prints lists as "[a, b]" in JSON strings, or as arrays: accept both. */
function nodeList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string' || v === '') return [];
  return v
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((s) => s.trim().replace(/^'|'$/g, ''))
    .filter(Boolean);
}

export function parsePlacements(json: string): QueuePlacement[] {
  const rows = JSON.parse(json) as Record<string, unknown>[];
  return rows.map((r) => ({
    name: String(r.name),
    type: String(r.type),
    leader: String(r.leader ?? ''),
    members: nodeList(r.members),
    online: nodeList(r.online),
  }));
}

/** Runs rabbitmqctl and returns the placements of the queues whose names start with `start`. */
export async function queuePlacements(
  start: string,
  o: { node: string; rabbitmqctl: string; timeoutMs?: number },
): Promise<QueuePlacement[]> {
  const args = ['-n', o.node, '-q', ...PLACEMENT_QUERY];
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(o.rabbitmqctl, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        err += d;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, stdout: out, stderr: err });
      });
    },
  ).catch((err: Error) => {
    throw new RabbitmqctlError(`cannot run ${o.rabbitmqctl}: ${err.message} (set --rabbitmqctl)`);
  });
  if (code !== 0) {
    const first = (stderr || stdout).trim().split('\n')[0] ?? '';
    throw new RabbitmqctlError(
      `rabbitmqctl could not ask node ${o.node}: ${first} (set --node; rabbitmqctl needs the cluster's Erlang cookie)`,
    );
  }
  return parsePlacements(stdout || '[]').filter((p) => p.name.startsWith(start));
}

export function formatPlacements(rows: QueuePlacement[]): string {
  const width = Math.max(5, ...rows.map((r) => r.name.length));
  const lw = Math.max(6, ...rows.map((r) => r.leader.length));
  const lines = [`${'queue'.padEnd(width)}  ${'type'.padEnd(7)}  ${'leader'.padEnd(lw)}  members (online)`];
  for (const r of rows) {
    const members = r.members.map((m) => (r.online.includes(m) ? m : `${m} (down)`)).join(' ');
    lines.push(
      `${r.name.padEnd(width)}  ${r.type.padEnd(7)}  ${(r.leader || '-').padEnd(lw)}  ${members || '-'}${r.members.length ? ` (${r.online.length}/${r.members.length} online)` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function clusterCommands({
  common,
  guard,
}: {
  common: Pick<typeof brokerOptions, 'prefix'> & Record<string, OptionSpecs[string]>;
  guard: (fn: () => Promise<number | undefined>) => Promise<number>;
}) {
  return {
    leaders: defineCommand({
      description: "say where a prefix's queues live in a cluster: each quorum queue's leader and members",
      options: {
        prefix: common.prefix,
        node: {
          type: 'string',
          env: 'RABBITMQ_NODENAME',
          default: 'rabbit@localhost',
          description: 'Erlang node name of any cluster node to ask',
        },
        rabbitmqctl: { type: 'string', default: 'rabbitmqctl', description: 'rabbitmqctl to run' },
      },
      run: ({ values }) =>
        guard(async () => {
          const rows = await queuePlacements(`${values.prefix}.`, {
            node: values.node,
            rabbitmqctl: values.rabbitmqctl,
          });
          process.stdout.write(formatPlacements(rows));
          return 0;
        }),
    }),
  };
}
