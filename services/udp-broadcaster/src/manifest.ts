import { defineService, serviceOptions } from '@fopnp/net/cli';

/** udp-broadcaster declared once: the CLI, `serve`, compose and k8s all read this. */
export const manifest = defineService({
  name: 'udp-broadcaster',
  chapter: '2',
  description:
    'UDP broadcast and request/reply (udp_broadcast.py, udp_remote.py), counting datagrams by source',
  command: ['serve'],
  ports: [{ name: 'datagrams', protocol: 'udp', option: 'port', public: true }],
  needs: [],
  options: {
    host: {
      type: 'string',
      env: 'HOST',
      default: '0.0.0.0',
      description:
        'address the UDP port binds (0.0.0.0: unicast and broadcast; a broadcast address: broadcasts only)',
    },
    port: {
      type: 'port',
      env: 'PORT',
      short: 'p',
      default: 1060,
      description: 'UDP port for broadcasts and requests',
    },
    dropRate: {
      type: 'number',
      env: 'DROP_RATE',
      flag: 'drop',
      default: 0,
      min: 0,
      max: 1,
      description:
        'fraction of requests to ignore on purpose, to show client retransmission (0.5 = every other)',
    },
    ...serviceOptions(9101),
  },
  localEnv: {
    HOST: {
      value: '0.0.0.0',
      why: 'broadcast datagrams (127.255.255.255 on loopback) reach only wildcard-bound sockets',
    },
  },
});
