/** tcp-farewell's smoke check: tcp_sixteen.py's exchange, and the server hangs up after it. */
import { defineSmoke, tcpExchange } from '@fopnp/net';
import { FAREWELL, GREETING, MESSAGE_BYTES } from './protocol.js';

const greeting = GREETING.toString('ascii');
const farewell = FAREWELL.toString('ascii');

export const smoke = defineSmoke([
  {
    name: 'farewell',
    async run(t) {
      const { reply, closedAfter } = await tcpExchange(
        t.host,
        t.port('farewell'),
        greeting,
        (r) => r.readExactly(MESSAGE_BYTES),
        { checkClose: true },
      );
      if (reply !== farewell) throw new Error(`expected "${farewell}", got ${JSON.stringify(reply)}`);
      if (!closedAfter) throw new Error('the server sent more after its farewell instead of closing');
      return `sent "${greeting}", got "${farewell}", then the server closed`;
    },
  },
]);
