/**
 * The page: one EventSource (`/api/events`) for everything; the graph, tables and charts
 * redraw from each snapshot. Actions are buttons (keyboard: Tab, Enter) that POST to
 * /api/actions/<id>; their markers arrive on the same stream, so every tab sees them.
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { ActionMarker, ActionView, LabHello, LabSnapshot, PiSample } from '../src/snapshot.ts';
import { DepthChart, PiChart, SIGMA_1 } from './charts.ts';
import { $, type Cell, el, fillRows, fmt } from './dom.ts';
import { TopologyGraph } from './graph.ts';
import { renderCacheLine, renderScenarios } from './scenarios.ts';
import { bytes, renderSharding, wireWhereForm } from './sharding.ts';

const markers: ActionMarker[] = [];
let pi: PiSample[] = [];
let actionsAllowed = false;
let shownActions = '';

const graph = new TopologyGraph($('graph'));
const piChart = new PiChart($('pi-chart'), () => markers);
const depthChart = new DepthChart($('depth-chart'), () => markers);

/** A published port on the host this page came from (the stack's, compose's or a port-forward). */
function here(port: number, path: string): string {
  return `${location.protocol}//${location.hostname}:${port}${path}`;
}

function health(h: string): Cell {
  return { text: h, cls: h };
}

function render(s: LabSnapshot): void {
  const age = ((Date.now() - s.at) / 1000).toFixed(1);
  $('status').textContent =
    `updated ${new Date(s.at).toLocaleTimeString()} (poll ${s.pollTookMs} ms, every ${s.pollMs} ms; ${age} s ago)`;
  const r = s.rabbitmq;
  const rh = $('rabbit-health');
  rh.textContent = r.health === 'up' ? `RabbitMQ ${r.version ?? ''} up` : `RabbitMQ down: ${r.error}`;
  rh.className = r.health;
  graph.update(s);
  depthChart.push(s);
  fillRows(
    $('queues').querySelector('tbody')!,
    r.queues.map((q) => [
      q.name,
      q.ready,
      q.unacked,
      q.consumers,
      q.publishRate,
      q.deliverRate,
      q.ackRate,
      { text: q.trend, cls: q.trend },
      q.declared ? (q.present ? 'yes' : 'yes, missing on the broker') : 'no (found on the broker)',
    ]),
  );
  fillRows(
    $('exchanges').querySelector('tbody')!,
    r.exchanges.map((x) => [
      x.name,
      x.type,
      x.publishInRate,
      x.declared ? 'yes' : 'no',
      x.present ? 'yes' : 'no',
    ]),
  );
  fillRows(
    $('connections').querySelector('tbody')!,
    r.connections.map((c) => [
      c.name,
      c.clientName,
      c.channels,
      c.state,
      r.consumers
        .filter((x) => x.connection === c.name)
        .map((x) => `${x.queue} (prefetch ${x.prefetch})`)
        .join(', '),
    ]),
  );
  const t = s.pipeline.tally;
  $('pi-text').textContent =
    t.health === 'down'
      ? 'tally is down (its /estimate does not answer)'
      : t.estimate === null
        ? 'tally is up; no decisions yet'
        : `π ≈ ${t.estimate.toFixed(5)} after ${fmt(t.count)} points (${fmt(t.ratePerSecond)}/s; error ${Math.abs(t.estimate - Math.PI).toFixed(5)}; one standard error ${(SIGMA_1 / Math.sqrt(t.count)).toFixed(5)}; ${fmt(t.malformed)} malformed)`;
  const last = pi.at(-1);
  if (t.health === 'up' && t.estimate !== null && (!last || last.count !== t.count)) {
    pi.push({ at: s.at, count: t.count, estimate: t.estimate });
    piChart.set(pi);
  }
  renderControl(s);
  fillRows(
    $('redis-nodes').querySelector('tbody')!,
    s.redis.map((n) => [
      n.address,
      health(n.health === 'up' ? 'up' : `down${n.error ? `: ${n.error}` : ''}`),
      n.role === 'slave' ? `replica of ${n.masterOf}` : n.role,
      n.keys,
      n.opsPerSec,
      n.hitRatio === null ? null : `${(n.hitRatio * 100).toFixed(1)} %`,
      bytes(n.memoryBytes),
      n.slots.map(([a, b]) => `${a}–${b}`).join(', ') || (n.clusterEnabled ? 'none' : 'not a cluster'),
    ]),
  );
  renderSlots(s);
  renderSharding(s);
  renderCacheLine(s);
  renderAccounting(s);
  renderScenarios(s, actionsAllowed);
  const links = $('links');
  links.replaceChildren(el('a', 'RabbitMQ management UI', { href: here(s.managementUiPort, '/') }));
  fillRows(
    $('service-table').querySelector('tbody')!,
    s.services.map((svc) => {
      const endpoints = el('span');
      svc.links.forEach((l, i) => {
        if (i) endpoints.append(' ');
        endpoints.append(el('a', l.label, { href: here(l.port, l.path) }));
      });
      const metrics = el('span');
      for (const m of svc.metrics) {
        const rate = m.ratePerSec === null ? '' : ` (${fmt(m.ratePerSec)}/s over ${m.windowS} s)`;
        metrics.append(el('div', `${m.name} ${fmt(m.value)}${rate}`, { class: 'metric' }));
      }
      return [
        svc.name,
        svc.chapter,
        health(svc.health === 'up' ? (svc.ready ? 'up' : 'up, not ready') : 'down'),
        endpoints,
        metrics,
      ];
    }),
  );
}

/** Published against counted: every point published is counted, dead-lettered, or on its way. */
function renderAccounting(s: LabSnapshot): void {
  const a = s.pipeline.accounting;
  const broker = 'RabbitMQ (management API)';
  fillRows($('accounting').querySelector('tbody')!, [
    ['published to the points exchange', a.published, broker],
    ['bitsource rate, points/s', a.publishRate, broker],
    ['acked by always-yes', a.alwaysYes, broker],
    ['acked by the judges', a.judged, broker],
    ['redelivered to a judge', a.redelivered, broker],
    ['counted by tally', a.tallied, "tally's /estimate"],
    ['dead letters (ready)', a.deadLetters, broker],
    ['on their way (ready + unacked, work and decision queues)', a.inQueues, broker],
  ]);
  const sum = $('accounting-sum');
  if (a.published === null || a.tallied === null || a.deadLetters === null || a.inQueues === null) {
    sum.textContent = 'published against counted: needs RabbitMQ and tally up';
    return;
  }
  const gap = a.published - a.tallied - a.deadLetters - a.inQueues;
  sum.textContent = `published − counted − dead letters − on their way = ${fmt(gap)}${
    gap === 0 ? ' (nothing lost)' : ' (the broker’s counts lag up to 5 s; the gap closes when they refresh)'
  }`;
  sum.dataset.gap = String(gap);
}

const OWNER_COLORS = ['#1a56a8', '#1e7d32', '#b26a00', '#6a1b9a', '#00838f', '#b3261e', '#5d4037', '#455a64'];

/** The cluster's slots as one bar, a coloured span per master's range (CSSOM styles: CSP-safe). */
function renderSlots(s: LabSnapshot): void {
  const masters = s.redis.filter((n) => n.slots.length > 0);
  const box = $('slots');
  box.hidden = masters.length === 0;
  if (!masters.length) return;
  const bar = $('slot-bar');
  const spans: HTMLElement[] = [];
  const legend: HTMLElement[] = [];
  let covered = 0;
  masters.forEach((n, i) => {
    const color = OWNER_COLORS[i % OWNER_COLORS.length]!;
    for (const [a, b] of n.slots) {
      const span = el('span', undefined, { title: `${n.address}: slots ${a}–${b}` });
      span.style.left = `${(a / 16384) * 100}%`;
      span.style.width = `${((b - a + 1) / 16384) * 100}%`;
      span.style.background = n.health === 'up' ? color : '#b3261e';
      spans.push(span);
      covered += b - a + 1;
    }
    const item = el(
      'li',
      `${n.address} ${n.slots.map(([a, b]) => `${a}–${b}`).join(', ')}${n.health === 'up' ? '' : ' (down)'}`,
    );
    const swatch = el('i');
    swatch.style.background = color;
    item.prepend(swatch);
    legend.push(item);
  });
  bar.replaceChildren(...spans);
  bar.setAttribute('aria-label', `${covered} of 16384 slots owned by ${masters.length} master(s)`);
  bar.dataset.covered = String(covered);
  $('slot-legend').replaceChildren(...legend);
}

function renderControl(s: LabSnapshot): void {
  const c = s.control;
  const ch = $('control-health');
  ch.textContent = c.health === 'up' ? 'control endpoint up' : `no actions: ${c.error}`;
  ch.className = c.health;
  const running = new Set(c.processes.filter((p) => p.state === 'running').map((p) => p.unit));
  const key = JSON.stringify([c.actions, actionsAllowed, [...running]]);
  if (key !== shownActions) {
    shownActions = key;
    $('action-buttons').replaceChildren(...c.actions.map((a) => actionButton(a, running)));
  }
  fillRows(
    $('processes').querySelector('tbody')!,
    c.processes.map((p) => [
      p.unit,
      p.instance,
      p.pid === null ? null : String(p.pid),
      health(p.state === 'running' ? 'up' : 'down'),
    ]),
  );
}

/** Whether an action makes sense now: no start of what runs, no stop of what does not. */
function applicable(a: ActionView, running: Set<string>): boolean {
  const dot = a.id.lastIndexOf('.');
  const unit = a.id.slice(0, dot);
  const verb = a.id.slice(dot + 1);
  if (verb === 'start') return !running.has(unit);
  if (verb === 'stop' || verb === 'term' || verb === 'kill') return running.has(unit);
  return true;
}

function actionButton(a: ActionView, running: Set<string>): HTMLButtonElement {
  const b = el('button', a.label, { type: 'button', 'data-action': a.id, title: a.description });
  const enabled = () => actionsAllowed && applicable(a, running);
  b.disabled = !enabled();
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      const res = await fetch(`/api/actions/${encodeURIComponent(a.id)}`, {
        method: 'POST',
        headers: { 'x-lab-action': '1' },
      });
      if (!res.ok && res.status !== 502) {
        const body = (await res.json().catch(() => ({}))) as { error?: string };
        $('status').textContent = `action ${a.id} refused: ${body.error ?? res.status}`;
      }
    } finally {
      b.disabled = !enabled();
    }
  });
  return b;
}

function addMarker(m: ActionMarker): void {
  markers.push(m);
  const li = el('li', `${new Date(m.at).toLocaleTimeString()} ${m.label}: ${m.detail}`, {
    'data-action': m.actionId,
  });
  if (!m.ok) li.className = 'failed';
  $('markers').prepend(li);
  piChart.redraw();
  depthChart.redraw();
}

function connect(): void {
  const es = new EventSource('/api/events');
  es.addEventListener('hello', (e) => {
    const h = JSON.parse((e as MessageEvent<string>).data) as LabHello;
    actionsAllowed = h.actionsAllowed;
    shownActions = '';
    markers.length = 0;
    $('markers').replaceChildren();
    for (const m of h.markers) addMarker(m);
    pi = h.pi;
    piChart.set(pi);
    if (h.snapshot) render(h.snapshot);
  });
  es.addEventListener('state', (e) => render(JSON.parse((e as MessageEvent<string>).data) as LabSnapshot));
  es.addEventListener('marker', (e) =>
    addMarker(JSON.parse((e as MessageEvent<string>).data) as ActionMarker),
  );
  es.addEventListener('error', () => {
    $('status').textContent = 'lost the lab’s event stream; reconnecting…';
  });
}

wireWhereForm();
connect();
