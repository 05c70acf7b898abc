/**
 * The one declaration of topology-lab: ports, env vars, defaults. `serve`, the README's
 * options table and the deployment files read this.
 */
import { defineService, httpLimitOptions, serviceOptions } from '@fopnp/net/cli';

export const manifest = defineService({
  name: 'topology-lab',
  chapter: '8',
  description:
    "the running stack's RabbitMQ and Redis topologies, live in a browser, with declared experiments on the real processes",
  command: ['serve'],
  ports: [{ name: 'http', protocol: 'tcp', option: 'port', public: true }],
  needs: ['rabbitmq', 'redis'],
  options: {
    host: {
      type: 'string',
      env: 'HOST',
      default: '0.0.0.0',
      description: 'address the page and its API bind',
    },
    port: {
      type: 'port',
      env: 'PORT',
      default: 8010,
      description: 'HTTP port of the page, /api/state and /api/events',
    },
    managementUrl: {
      type: 'string',
      env: 'RABBITMQ_MANAGEMENT_URL',
      default: 'http://guest:guest@127.0.0.1:15672',
      description: "RabbitMQ's management HTTP API (plugin rabbitmq_management), user:password in the URL",
    },
    amqpUrl: {
      type: 'string',
      env: 'AMQP_URL',
      default: 'amqp://guest:guest@127.0.0.1:5672',
      description:
        'RabbitMQ URL for live queue depths (passive declares; the management stats lag by their interval)',
    },
    amqpPrefix: {
      type: 'string',
      env: 'AMQP_PREFIX',
      default: 'fopnp',
      description: "rabbit-pipeline's name prefix: which exchanges and queues are the declared pipeline",
    },
    redisUrls: {
      type: 'list',
      env: 'REDIS_URL',
      default: ['redis://127.0.0.1:6379'],
      description:
        'Redis servers to watch, comma-separated; the nodes of a cluster are found from any one of them',
    },
    shardUrls: {
      type: 'list',
      env: 'REDIS_SHARDS',
      default: [],
      description:
        "redis-cache's client-side shards, comma-separated redis:// URLs in shard order: the sharding view (keys per shard, where a key goes, key movement)",
    },
    namespace: {
      type: 'string',
      env: 'CACHE_NAMESPACE',
      default: 'cache',
      description:
        "redis-cache's namespace: a key K is looked up as <namespace>:K on the shards and the cluster",
    },
    cacheUrl: {
      type: 'string',
      env: 'REDIS_CACHE_URL',
      default: 'http://127.0.0.1:8005',
      description:
        "redis-cache's HTTP API: its /stats on the page, and the calls of the 'Redis down' scenario; empty = not watched",
    },
    tallyUrl: {
      type: 'string',
      env: 'TALLY_URL',
      default: 'http://127.0.0.1:8006',
      description: "rabbit-pipeline tally's HTTP port, for the estimate of pi",
    },
    servicesHost: {
      type: 'string',
      env: 'SERVICES_HOST',
      default: '127.0.0.1',
      description:
        "host of the services' health ports; a name containing {name} is one host per service (compose: {name})",
    },
    controlUrl: {
      type: 'string',
      env: 'STACK_CONTROL_URL',
      default: '',
      description: "the local stack's control endpoint (loopback); empty = no actions (read-only lab)",
    },
    controlToken: {
      type: 'string',
      env: 'STACK_CONTROL_TOKEN',
      flag: false,
      description: 'bearer token of the control endpoint',
    },
    actionToken: {
      type: 'string',
      env: 'LAB_TOKEN',
      flag: false,
      description:
        'bearer token that lets a non-loopback caller run actions (16+ characters); unset = loopback only',
    },
    readOnly: {
      type: 'boolean',
      env: 'LAB_READ_ONLY',
      default: false,
      description:
        'no actions and no scenarios at all, whoever asks (production: the page only shows); the control endpoint is not called',
    },
    pollMs: {
      type: 'int',
      env: 'POLL_MS',
      default: 1000,
      min: 100,
      max: 60_000,
      description: 'one poll of everything per interval, shared by every open page',
    },
    ...serviceOptions(9110),
    ...httpLimitOptions(),
  },
  calls: [
    { service: 'rabbit-pipeline', port: 'tally', option: 'tallyUrl' },
    { service: 'redis-cache', port: 'http', option: 'cacheUrl' },
  ],
  deploy: {
    env: {
      RABBITMQ_MANAGEMENT_URL: {
        value: 'http://guest:guest@rabbitmq:15672',
        why: "the broker's management API (the rabbitmq image has the plugin on)",
      },
      TALLY_URL: {
        value: 'http://rabbit-pipeline:8006',
        why: "rabbit-pipeline's tally, for the estimate of pi",
      },
      REDIS_CACHE_URL: {
        value: 'http://redis-cache:8005',
        why: "redis-cache's HTTP API: its /stats, the 'Redis down' scenario's calls",
      },
      SERVICES_HOST: { value: '{name}', why: 'each service is reachable under its own name' },
    },
  },
  // Compose reaches each service under its own name ({name}); here they all are on loopback.
  localEnv: { SERVICES_HOST: { value: '127.0.0.1', why: 'every service of the local stack is on loopback' } },
});
