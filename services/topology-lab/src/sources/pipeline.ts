/**
 * rabbit-pipeline's declared flows (who publishes to which exchange, who consumes which
 * queue), from its own names and topology — the edges the broker cannot report, since
 * it knows connections and consumers but not what a role does with a message.
 */
import { pipelineNames, pipelineTopology } from '@fopnp/rabbit-pipeline';
import type { FlowView } from '../snapshot.js';

export const PIPELINE_ROLES = ['bitsource', 'always-yes', 'judge', 'pythagoras', 'tally'] as const;

export function pipelineFlows(prefix: string): FlowView[] {
  const n = pipelineNames(prefix);
  const f = (from: string, to: string, label: string, secondary = false): FlowView => ({
    from,
    to,
    label,
    secondary,
  });
  const flows = [
    f('role:bitsource', `x:${n.points}`, 'publish'),
    f(`q:${n.alwaysYes}`, 'role:always-yes', 'consume'),
    f(`q:${n.judge}`, 'role:judge', 'consume'),
    f('role:judge', `q:${n.pythagoras}`, 'request'),
    f(`q:${n.pythagoras}`, 'role:pythagoras', 'consume'),
    f('role:pythagoras', 'role:judge', 'reply', true),
    f('role:always-yes', `q:${n.decisions}`, 'Y'),
    f('role:judge', `q:${n.decisions}`, 'Y/N'),
    f(`q:${n.decisions}`, 'role:tally', 'consume'),
  ];
  for (const q of pipelineTopology(prefix).queues.filter((q) => q.deadLetter))
    flows.push(f(`q:${q.name}`, `x:${n.deadLetterExchange}`, 'rejected', true));
  return flows;
}
