/**
 * A pattern's topology printed as the pipeline's is: the same Markdown tables
 * (`renderTable`) and a Mermaid flowchart with exchanges as hexagons, queues as
 * cylinders and the pattern's processes as boxes.
 */
import { renderTable } from '../topology.js';
import type { PatternTopology } from './topologies.js';

function nodeId(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '_');
}

export function renderPatternMermaid(t: PatternTopology): string {
  const lines = ['flowchart LR'];
  for (const r of t.roles) lines.push(`  ${nodeId(r.id)}["${r.label}"]`);
  for (const x of t.exchanges) lines.push(`  ${nodeId(x.name)}{{"${x.name} (${x.type})"}}`);
  for (const q of t.queues) {
    lines.push(`  ${nodeId(q.name)}[("${q.name}${q.type === 'stream' ? ' (stream)' : ''}")]`);
  }
  const solid = t.flows.filter((f) => !f.dotted);
  const dotted = t.flows.filter((f) => f.dotted);
  const arrow = (f: (typeof t.flows)[number]) =>
    f.dotted
      ? `  ${nodeId(f.from)} -. ${f.label ?? ''} .-> ${nodeId(f.to)}`
      : f.label
        ? `  ${nodeId(f.from)} -- "${f.label}" --> ${nodeId(f.to)}`
        : `  ${nodeId(f.from)} --> ${nodeId(f.to)}`;
  // Publishing first, then the bindings it goes through, then consuming, then the dotted.
  const publishing = solid.filter((f) => t.roles.some((r) => r.id === f.from));
  for (const f of publishing) lines.push(arrow(f));
  for (const b of t.bindings) {
    lines.push(
      b.pattern
        ? `  ${nodeId(b.exchange)} -- "${b.pattern}" --> ${nodeId(b.queue)}`
        : `  ${nodeId(b.exchange)} --> ${nodeId(b.queue)}`,
    );
  }
  for (const f of solid.filter((f) => !publishing.includes(f))) lines.push(arrow(f));
  for (const f of dotted) lines.push(arrow(f));
  return `${lines.join('\n')}\n`;
}

/** Tables and diagram, as `rabbit-pipeline topology` prints the pipeline's. */
export function renderPattern(t: PatternTopology, format: 'table' | 'mermaid' | 'both' = 'both'): string {
  const parts: string[] = [];
  const opts = t.deadLetterExchange ? { deadLetterExchange: t.deadLetterExchange } : {};
  if (format !== 'mermaid') {
    // A table with no rows (a pattern without exchanges or bindings) is left out.
    const tables = renderTable(t, opts)
      .trimEnd()
      .split('\n\n')
      .filter((block) => block.split('\n').length > 2);
    parts.push(`${tables.join('\n\n')}\n`);
  }
  if (format !== 'table') parts.push(`\`\`\`mermaid\n${renderPatternMermaid(t)}\`\`\`\n`);
  return parts.join('\n');
}
