/** tcp-farewell's smoke check: tcp_sixteen.py's exchange, and the server hangs up after it. */
import { defineSmoke, tcpExchange } from '@fopnp/net';

export const smoke = defineSmoke([
  {
    name: 'farewell',
    async run(t) {
      const { reply, closedAfter } = await tcpExchange(
        t.host,
        t.port('farewell'),
        'Hi there, server',
        (r) => r.readExactly(16),
        { checkClose: true },
      );
      if (reply !== 'Farewell, client')
        throw new Error(`expected "Farewell, client", got ${JSON.stringify(reply)}`);
      if (!closedAfter) throw new Error('the server sent more after its farewell instead of closing');
      return 'sent "Hi there, server", got "Farewell, client", then the server closed';
    },
  },
]);
