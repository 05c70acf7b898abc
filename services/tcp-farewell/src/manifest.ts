import { defineService, MAX_TIMER_MS, serviceOptions } from '@fopnp/net/cli';
import { FAREWELL_PORT } from './protocol.js';

/** tcp-farewell declared once: the CLI, `serve`, compose and k8s all read this. */
export const manifest = defineService({
  name: 'tcp-farewell',
  chapter: '3',
  description: 'The 16-octet greeting and farewell of tcp_sixteen.py, served to many clients at once',
  command: ['serve'],
  ports: [{ name: 'farewell', protocol: 'tcp', option: 'port', public: true }],
  needs: [],
  options: {
    host: {
      type: 'string',
      env: 'HOST',
      default: '0.0.0.0',
      description: 'address the farewell port binds',
    },
    port: {
      type: 'port',
      env: 'PORT',
      short: 'p',
      default: FAREWELL_PORT,
      description: 'TCP port of the farewell protocol',
    },
    idleTimeoutMs: {
      type: 'int',
      env: 'IDLE_TIMEOUT_MS',
      default: 10_000,
      min: 1,
      max: MAX_TIMER_MS,
      description: 'a client silent this long is disconnected (guards against slow or stuck clients)',
    },
    ...serviceOptions(9102),
  },
  deploy: { stateless: true },
});
