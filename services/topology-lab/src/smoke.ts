/**
 * topology-lab's smoke check: the lab's own view of the stack. It sees RabbitMQ up and
 * reaches rabbit-pipeline (when that is part of the tour), the service it calls.
 */
import { defineSmoke, smokeFetch } from '@fopnp/net';

interface LabState {
  rabbitmq?: { health: string };
  services?: { name: string; health: string }[];
}

export const smoke = defineSmoke([
  {
    name: 'lab sees the stack',
    async run(t) {
      const { status, json } = await smokeFetch(`http://${t.host}:${t.port('http')}/api/state`, {
        timeoutMs: 20_000,
      });
      const s = json as LabState | undefined;
      if (status !== 200 || !s?.rabbitmq || !s.services) throw new Error(`GET /api/state answered ${status}`);
      if (s.rabbitmq.health !== 'up')
        throw new Error('the lab sees RabbitMQ down (is the management plugin on?)');
      const up = s.services.filter((x) => x.health === 'up').map((x) => x.name);
      if (t.tour.has('rabbit-pipeline') && !up.includes('rabbit-pipeline'))
        throw new Error(`the lab does not reach rabbit-pipeline; up: ${up.join(', ')}`);
      return `RabbitMQ up; ${up.length} of ${s.services.length} services answer the lab`;
    },
  },
]);
