/**
 * The topology graph: cytoscape with ELK's layered layout, left to right. The layout runs
 * only when the set of nodes and edges changes (a queue appears, a judge joins); new
 * numbers only change labels, so a running pipeline never makes the picture jump.
 * RabbitMQ and Redis are compound nodes (groups) holding their exchanges, queues and servers.
 */
import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import elk from 'cytoscape-elk';
import type { LabSnapshot, QueueView } from '../src/snapshot.ts';
import { fmt } from './dom.ts';

cytoscape.use(elk);

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-valign': 'center',
      'text-halign': 'center',
      'font-size': 10,
      width: 'label',
      height: 'label',
      padding: '8px',
      shape: 'round-rectangle',
      'background-color': '#eef3fb',
      'border-width': 1,
      'border-color': '#1a56a8',
    },
  },
  {
    selector: 'node.exchange',
    style: { shape: 'hexagon', 'background-color': '#fff4e0', 'border-color': '#b26a00' },
  },
  {
    selector: 'node.queue',
    style: { shape: 'barrel', 'background-color': '#e8f5e9', 'border-color': '#1e7d32' },
  },
  { selector: 'node.role', style: { 'background-color': '#f3e8fd', 'border-color': '#6a1b9a' } },
  { selector: 'node.service', style: { 'background-color': '#f5f5f5', 'border-color': '#777' } },
  {
    selector: 'node.redis',
    style: { shape: 'barrel', 'background-color': '#fdecea', 'border-color': '#b3261e' },
  },
  {
    selector: ':parent',
    style: {
      'text-valign': 'top',
      'text-halign': 'center',
      'font-size': 12,
      'font-weight': 'bold',
      'background-color': '#fafafa',
      'border-style': 'dashed',
      padding: '14px',
    },
  },
  {
    selector: 'node.down',
    style: { 'border-color': '#b3261e', 'border-width': 3, 'background-color': '#fbe3e1' },
  },
  { selector: 'node.absent', style: { 'border-style': 'dotted', opacity: 0.6 } },
  {
    selector: 'edge',
    style: {
      width: 1.5,
      'curve-style': 'bezier',
      'target-arrow-shape': 'triangle',
      'line-color': '#888',
      'target-arrow-color': '#888',
      label: 'data(label)',
      'font-size': 9,
      'text-background-color': '#fff',
      'text-background-opacity': 1,
    },
  },
  { selector: 'edge.secondary', style: { 'line-style': 'dashed' } },
  { selector: 'edge.needs', style: { 'line-color': '#ccc', 'target-arrow-color': '#ccc', label: '' } },
];

function queueLabel(q: QueueView): string {
  const rates = `in ${fmt(q.publishRate)}/s · ack ${fmt(q.ackRate)}/s`;
  const trend = q.trend === 'steady' ? '' : ` (${q.trend})`;
  return `${q.name}\nready ${fmt(q.ready)}${trend} · unacked ${fmt(q.unacked)}\n${rates} · consumers ${fmt(q.consumers)}`;
}

export function elementsOf(s: LabSnapshot): ElementDefinition[] {
  const els: ElementDefinition[] = [];
  const r = s.rabbitmq;
  els.push({
    data: {
      id: 'g:rabbitmq',
      label: r.health === 'up' ? `RabbitMQ ${r.version ?? ''}` : `RabbitMQ — down: ${r.error}`,
    },
    classes: r.health === 'up' ? 'group' : 'group down',
  });
  for (const x of r.exchanges) {
    els.push({
      data: {
        id: `x:${x.name}`,
        parent: 'g:rabbitmq',
        label: `${x.name} (${x.type})\nin ${fmt(x.publishInRate)}/s`,
      },
      classes: `exchange${x.present ? '' : ' absent'}`,
    });
  }
  for (const q of r.queues) {
    els.push({
      data: { id: `q:${q.name}`, parent: 'g:rabbitmq', label: queueLabel(q) },
      classes: `queue${q.present ? '' : ' absent'}`,
    });
  }
  r.bindings.forEach((b, i) => {
    els.push({
      data: {
        id: `b:${i}:${b.source}:${b.destination}:${b.routingKey}`,
        source: `x:${b.source}`,
        target: `q:${b.destination}`,
        label: b.routingKey,
      },
    });
  });
  const consumersOn = (queue: string) => r.queues.find((q) => q.name === queue)?.consumers ?? null;
  const prefix = s.pipeline.prefix;
  const roleCount: Record<string, number | null> = {
    'always-yes': consumersOn(`${prefix}.always-yes`),
    judge: consumersOn(`${prefix}.judge`),
    pythagoras: consumersOn(`${prefix}.pythagoras`),
    tally: consumersOn(`${prefix}.decisions`),
  };
  const roles = new Set(
    s.pipeline.flows.flatMap((f) => [f.from, f.to]).filter((id) => id.startsWith('role:')),
  );
  for (const id of roles) {
    const name = id.slice(5);
    const n = roleCount[name];
    const extra =
      name === 'tally'
        ? `\n${s.pipeline.tally.health === 'up' ? `${fmt(s.pipeline.tally.count)} decisions` : 'HTTP down'}`
        : '';
    els.push({
      data: { id, label: `${name}${n === undefined ? '' : ` ×${fmt(n)}`}${extra}` },
      classes: `role${n === 0 || (name === 'tally' && s.pipeline.tally.health === 'down') ? ' down' : ''}`,
    });
  }
  const ids = new Set(els.map((e) => e.data.id));
  for (const f of s.pipeline.flows) {
    if (!ids.has(f.from) || !ids.has(f.to)) continue;
    els.push({
      data: { id: `f:${f.from}>${f.to}`, source: f.from, target: f.to, label: f.label },
      classes: f.secondary ? 'secondary' : '',
    });
  }
  els.push({ data: { id: 'g:redis', label: 'Redis' }, classes: 'group' });
  for (const n of s.redis) {
    const slots = n.slots.length ? `\nslots ${n.slots.map(([a, b]) => `${a}-${b}`).join(',')}` : '';
    els.push({
      data: {
        id: `redis:${n.address}`,
        parent: 'g:redis',
        label:
          n.health === 'up'
            ? `${n.address} ${n.role}\nkeys ${fmt(n.keys)} · ${fmt(n.opsPerSec)} ops/s${slots}`
            : `${n.address}\nDOWN`,
      },
      classes: `redis${n.health === 'up' ? '' : ' down'}`,
    });
  }
  return els;
}

export class TopologyGraph {
  private readonly cy: Core;
  private shape = '';

  constructor(private readonly container: HTMLElement) {
    this.cy = cytoscape({ container, style: STYLE, wheelSensitivity: 0.2, minZoom: 0.2, maxZoom: 3 });
  }

  update(s: LabSnapshot): void {
    const els = elementsOf(s);
    const shape = els
      .map((e) => `${e.data.id}|${e.data.parent ?? ''}`)
      .sort()
      .join('\n');
    if (shape !== this.shape) {
      this.shape = shape;
      this.cy.elements().remove();
      this.cy.add(els);
      // What is drawn, readable without the canvas (tests, and a reader's devtools).
      this.container.dataset.nodes = this.cy
        .nodes()
        .map((n) => n.id())
        .join(' ');
      this.cy
        .layout({
          name: 'elk',
          fit: true,
          padding: 12,
          nodeDimensionsIncludeLabels: true,
          elk: {
            algorithm: 'layered',
            'elk.direction': 'RIGHT',
            'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
            'elk.layered.spacing.nodeNodeBetweenLayers': 40,
            'elk.spacing.nodeNode': 18,
            // Same input, same picture: no randomness in crossing minimisation.
            'elk.randomSeed': 1,
          },
        } as cytoscape.LayoutOptions)
        .run();
      return;
    }
    this.cy.batch(() => {
      for (const e of els) {
        const n = this.cy.getElementById(e.data.id!);
        n.data('label', e.data.label);
        n.classes(e.classes ?? '');
      }
    });
  }
}
