/** zen-asyncio's smoke check: one of the Zen's questions, answered. */
import { defineSmoke, tcpExchange } from '@fopnp/net';

export const smoke = defineSmoke([
  {
    name: 'zen question',
    async run(t) {
      const { reply } = await tcpExchange(t.host, t.port('zen'), 'Beautiful is better than?', (r) =>
        r.readUntil('.'),
      );
      if (reply !== 'Ugly.') throw new Error(`expected "Ugly.", got ${JSON.stringify(reply)}`);
      return 'asked "Beautiful is better than?", got "Ugly."';
    },
  },
]);
