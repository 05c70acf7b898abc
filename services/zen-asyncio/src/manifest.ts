import { defineOptions, defineService, serviceOptions } from '@fopnp/net/cli';
import { zenOptions } from './config.js';
import { ZEN_PORT } from './protocol.js';

/** The Zen service, declared once: ports, env vars, defaults (book ch. 7). */
export const manifest = defineService({
  name: 'zen-asyncio',
  chapter: '7',
  description:
    "Answers the Zen of Python's comparatives over TCP from one event loop, one conversation at a time, or a pre-forked cluster",
  command: ['serve'],
  ports: [{ name: 'zen', protocol: 'tcp', option: 'port', public: true }],
  needs: [],
  options: {
    ...defineOptions({
      host: {
        type: 'string',
        env: 'HOST',
        default: '0.0.0.0',
        description: 'address the Zen port binds',
      },
    }),
    ...zenOptions(ZEN_PORT),
    ...serviceOptions(9104),
  },
  deploy: { stateless: true },
});
