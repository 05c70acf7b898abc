/**
 * The sharding view: the configured shards with their numbers (in shard order), "which shard
 * or cluster node holds key K" (GET /api/where), and the last key-movement measurement.
 */
import type { LabSnapshot, RedisNodeView, WhereView } from '../src/snapshot.ts';
import { $, type Cell, fillRows, fmt } from './dom.ts';

export function bytes(n: number | null): string | null {
  if (n === null) return null;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function stateCell(n: RedisNodeView | undefined): Cell {
  if (!n) return { text: 'unknown', cls: 'unknown' };
  return n.health === 'up'
    ? { text: 'up', cls: 'up' }
    : { text: `down${n.error ? `: ${n.error}` : ''}`, cls: 'down' };
}

export function renderSharding(s: LabSnapshot): void {
  const sh = s.sharding;
  const nodes = new Map(s.redis.map((n) => [n.address, n]));
  $('sharding-note').textContent = sh.shards.length
    ? `${sh.shards.length} shards; redis-cache's namespace "${sh.namespace}"`
    : 'no client-side shards configured (REDIS_SHARDS)';
  fillRows(
    $('shards').querySelector('tbody')!,
    sh.shards.map((a, i) => {
      const n = nodes.get(a);
      return [
        `shard${i}`,
        a,
        stateCell(n),
        n?.keys ?? null,
        n?.opsPerSec ?? null,
        bytes(n?.memoryBytes ?? null),
        n?.hitRatio == null ? null : `${(n.hitRatio * 100).toFixed(1)} %`,
      ];
    }),
  );
  const m = sh.movement;
  if (m) {
    $('movement-note').textContent =
      `measured ${new Date(m.at).toLocaleTimeString()} on the real servers in ${(m.tookMs / 1000).toFixed(1)} s`;
    fillRows(
      $('movement').querySelector('tbody')!,
      m.rows.map((r) => [
        r.strategy,
        `${r.from} → ${r.to}`,
        r.loaded,
        r.moved,
        `${(r.share * 100).toFixed(1)} %`,
        r.before.map((b) => (b === null ? '–' : fmt(b))).join(' / '),
      ]),
    );
  }
}

function renderWhere(w: WhereView): void {
  const parts: string[] = [];
  const table = $('where');
  if (w.shards) {
    const held = w.shards.holders;
    parts.push(
      held.length
        ? `${w.redisKey} is on ${held.join(', ')}`
        : `${w.redisKey} is on no shard${w.shards.down.length ? ` (down: ${w.shards.down.join(', ')})` : ''}`,
    );
    fillRows(
      table.querySelector('tbody')!,
      w.shards.placements.map((p) => [
        p.strategy,
        `shard${p.shard}`,
        p.address,
        held.includes(p.address) ? { text: 'yes', cls: 'up' } : 'no',
      ]),
    );
  }
  table.hidden = !w.shards;
  if (w.cluster) {
    const c = w.cluster;
    parts.push(
      `cluster: slot ${c.slot}, owned by ${c.owner ?? 'no live master'}${
        c.present === null ? '' : c.present ? ', which holds it' : ', which does not hold it'
      }`,
    );
  }
  if (!w.shards && !w.cluster) parts.push('no shards and no cluster to look in');
  const summary = $('where-summary');
  summary.textContent = parts.join('; ');
  summary.dataset.slot = w.cluster ? String(w.cluster.slot) : '';
  summary.dataset.owner = w.cluster?.owner ?? '';
}

export function wireWhereForm(): void {
  const form = $('where-form') as HTMLFormElement;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = ($('where-key') as HTMLInputElement).value;
    const summary = $('where-summary');
    summary.textContent = 'looking…';
    const res = await fetch(`/api/where?key=${encodeURIComponent(key)}`);
    const body = (await res.json()) as WhereView | { error: { message: string } };
    if ('error' in body) summary.textContent = body.error.message;
    else renderWhere(body);
  });
}
