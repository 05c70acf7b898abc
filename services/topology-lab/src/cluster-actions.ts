/**
 * The lab's two actions on a Redis Cluster, over the orchestrator's Redis units (those whose
 * address it declares): SIGKILL the master that owns slot 0, and start that node again. The
 * lab picks the node from what the cluster reports; a caller names nothing.
 */
import type { ProcessView, RedisNodeView } from './snapshot.js';

/** The running unit serving the live master that owns slot 0 (else the first master with slots). */
export function masterToKill(
  nodes: readonly RedisNodeView[],
  processes: readonly ProcessView[],
): { unit: string; address: string } | null {
  const masters = nodes.filter((n) => n.health === 'up' && n.role === 'master' && n.slots.length > 0);
  const ordered = [
    ...masters.filter((n) => n.slots.some(([a]) => a === 0)),
    ...masters.filter((n) => !n.slots.some(([a]) => a === 0)),
  ];
  for (const m of ordered) {
    const p = processes.find((x) => x.address === m.address && x.state === 'running');
    if (p) return { unit: p.unit, address: m.address };
  }
  return null;
}

/** The unit killed by `cluster.kill-master`, if it is still stopped. */
export function nodeToRestart(processes: readonly ProcessView[], killed: string | null): string | null {
  if (!killed) return null;
  const p = processes.filter((x) => x.unit === killed);
  return p.length > 0 && p.every((x) => x.state === 'stopped') ? killed : null;
}
