/**
 * rpc-gateway's smoke check, with the chapter's own XML-RPC client: the book's functions
 * (addtogether, and quadratic in a multicall), and, when zen-asyncio and tcp-farewell are
 * part of the tour, a question and a farewell through the gateway in the same multicall.
 */
import { defineSmoke } from '@fopnp/net';
import { FAREWELL } from '@fopnp/tcp-farewell/protocol';
import { XmlRpcClient } from './client.js';
import { toPlain } from './xmlrpc/convert.js';
import { Fault } from './xmlrpc/values.js';

export const smoke = defineSmoke([
  {
    name: 'xml-rpc multicall',
    async run(t) {
      // The deployment's first token (AUTH_TOKENS is TOKEN=PATTERN|…, comma-separated).
      const entry = t.env.AUTH_TOKENS?.split(',')[0] ?? '';
      const token = entry.includes('=') ? entry.slice(0, entry.lastIndexOf('=')) : undefined;
      const client = new XmlRpcClient(`http://${t.host}:${t.port('rpc')}/RPC2`, token ? { token } : {});
      const total = toPlain(await client.call('addtogether', 1, 2, 3));
      if (total !== 6) throw new Error(`addtogether(1, 2, 3) = ${JSON.stringify(total)}`);
      const through = t.tour.has('zen-asyncio') && t.tour.has('tcp-farewell');
      const answers = await client.multicall([
        // The book's own call; its `/ 2.0*a` gives [0.0, 8.0].
        { method: 'quadratic', params: [2, -4, 0] },
        ...(through
          ? [
              { method: 'zen.ask', params: ['Beautiful is better than?'] },
              { method: 'farewell', params: [] },
            ]
          : []),
      ]);
      const fault = answers.find((a) => a instanceof Fault);
      if (fault) throw new Error(`a call of the multicall failed: ${(fault as Fault).faultString}`);
      const plain = answers.map((a) => toPlain(a as Exclude<typeof a, Fault>));
      const roots = (plain[0] as number[]).map(Number).sort((x, y) => x - y);
      if (JSON.stringify(roots) !== '[0,8]')
        throw new Error(`quadratic(2, -4, 0) = ${JSON.stringify(plain[0])}`);
      const farewell = FAREWELL.toString('ascii');
      if (through && JSON.stringify(plain.slice(1)) !== JSON.stringify(['Ugly.', farewell]))
        throw new Error(`gateway calls gave ${JSON.stringify(plain.slice(1))}`);
      return through
        ? `addtogether = 6; system.multicall [quadratic, zen.ask, farewell]: [0, 8], "Ugly.", "${farewell}"`
        : 'addtogether = 6; system.multicall [quadratic]: [0, 8] (zen-asyncio, tcp-farewell not in this tour)';
    },
  },
]);
