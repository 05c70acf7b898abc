/**
 * The guided scenarios: each with its steps (do this, watch that) and a button that starts it
 * (POST /api/scenarios/<id>); the run's timeline comes back in every snapshot.
 */
import type { LabSnapshot, ScenarioView } from '../src/snapshot.ts';
import { $, el } from './dom.ts';

let shown = '';

function scenarioCard(sc: ScenarioView, canRun: boolean): HTMLElement {
  const box = el('article', undefined, { class: 'scenario', 'data-scenario': sc.id });
  box.append(el('h3', sc.title), el('p', sc.description));
  const steps = el('ol');
  for (const st of sc.steps) {
    const li = el('li', st.say);
    li.append(el('span', ` — watch: ${st.watch}`, { class: 'watch' }));
    steps.append(li);
  }
  box.append(steps);
  const button = el('button', `run “${sc.title}”`, { type: 'button', 'data-scenario': sc.id });
  button.disabled = !canRun || sc.missing !== null;
  button.addEventListener('click', async () => {
    button.disabled = true;
    const res = await fetch(`/api/scenarios/${encodeURIComponent(sc.id)}`, {
      method: 'POST',
      headers: { 'x-lab-action': '1' },
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
      $('scenario-state').textContent = `refused: ${body.error?.message ?? res.status}`;
    }
  });
  box.append(button);
  if (sc.missing) box.append(el('p', `not available here: ${sc.missing}`, { class: 'missing' }));
  return box;
}

export function renderScenarios(s: LabSnapshot, actionsAllowed: boolean): void {
  const run = s.scenarios.run;
  const running = run?.state === 'running';
  const key = JSON.stringify([s.scenarios.list, actionsAllowed, running]);
  if (key !== shown) {
    shown = key;
    $('scenario-list').replaceChildren(
      ...s.scenarios.list.map((sc) => scenarioCard(sc, actionsAllowed && !running)),
    );
  }
  const state = $('scenario-state');
  if (!run) {
    state.textContent = 'no scenario run yet';
    state.dataset.state = '';
    return;
  }
  const took = ((run.endedAt ?? s.at) - run.startedAt) / 1000;
  state.textContent = `${run.title}: ${run.state} (${took.toFixed(1)} s)`;
  state.dataset.state = run.state;
  state.dataset.scenario = run.id;
  state.className = run.state === 'passed' ? 'up' : run.state === 'failed' ? 'down' : 'unknown';
  $('timeline').replaceChildren(
    ...run.timeline.map((t) => {
      const li = el('li', `+${(t.sinceMs / 1000).toFixed(1)} s  ${t.text}`, { 'data-step': String(t.step) });
      if (t.ok === true) li.className = 'passed';
      if (t.ok === false) li.className = 'failed';
      return li;
    }),
  );
}

export function renderCacheLine(s: LabSnapshot): void {
  const c = s.cache;
  const line = $('cache-line');
  line.textContent =
    c.health === 'up'
      ? `redis-cache (${c.topology}): ${c.status}${c.down.length ? `, down: ${c.down.join(', ')}` : ''}; ${c.hits} hits, ${c.misses} misses, ${c.failOpen} fail-opens`
      : 'redis-cache: its HTTP API does not answer';
  line.dataset.status = c.status ?? 'down';
}
