/**
 * rabbit-pipeline's smoke check: the tally's estimate of pi, once it has counted enough
 * points, is near pi. Only instances that run the tally have one (ROLE all or tally).
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { defineSmoke, smokeFetch } from '@fopnp/net';

const POINTS = 200;

export const smoke = defineSmoke([
  {
    name: 'pi estimate',
    appliesTo: (t) => ['all', 'tally'].includes(t.env.ROLE ?? 'all'),
    async run(t) {
      const url = `http://${t.host}:${t.port('tally')}/estimate`;
      let last = '';
      for (let i = 0; i < 120; i++) {
        const { status, json, text } = await smokeFetch(url);
        const s = json as { estimate: number | null; count: number } | undefined;
        if (status === 200 && s && s.estimate !== null && s.count >= POINTS) {
          if (Math.abs(s.estimate - Math.PI) > 0.5)
            throw new Error(`estimate ${s.estimate} after ${s.count} points is far from pi`);
          return `pi ≈ ${s.estimate.toFixed(4)} after ${s.count} points`;
        }
        last = `HTTP ${status} ${text.slice(0, 100)}`;
        await sleep(500);
      }
      throw new Error(`the tally counted fewer than ${POINTS} points in 60 s (last: ${last})`);
    },
  },
]);
