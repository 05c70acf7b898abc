/**
 * The one declaration of rabbit-pipeline: ports, env vars, defaults. The CLI's role
 * commands, `serve`, the README's options table and the deployment files read this.
 */
import {
  defineOptions,
  defineService,
  httpLimitOptions,
  type StateVolume,
  serviceOptions,
} from '@fopnp/net/cli';
import { DEFAULT_MAX_MESSAGE_BYTES } from './protocol.js';

/** The book's five roles of queuepi.py, plus `all` (every role in one process). */
export const ROLES = ['bitsource', 'always-yes', 'judge', 'pythagoras', 'tally'] as const;
export type Role = (typeof ROLES)[number];

/** Options every role shares: where the broker is and how reliably to use it. */
export const brokerOptions = defineOptions({
  amqpUrl: {
    type: 'string',
    env: 'AMQP_URL',
    short: 'u',
    default: 'amqp://guest:guest@127.0.0.1:5672',
    description:
      "RabbitMQ URL (amqp://user:pass@host:port/vhost); for a cluster, every node's URL separated by commas (a dropped connection moves to the next)",
  },
  prefix: {
    type: 'string',
    env: 'AMQP_PREFIX',
    default: 'fopnp',
    description: 'namespace put before every exchange and queue name, so several pipelines share one broker',
  },
  prefetch: {
    type: 'int',
    env: 'PREFETCH',
    default: 64,
    min: 1,
    max: 65535,
    description: 'unacknowledged deliveries a consumer may hold at once',
  },
  maxInFlight: {
    type: 'int',
    env: 'MAX_IN_FLIGHT',
    default: 512,
    min: 1,
    description: 'published messages awaiting a broker confirm before publish() waits',
  },
  maxMessageBytes: {
    type: 'int',
    env: 'MAX_MESSAGE_BYTES',
    default: DEFAULT_MAX_MESSAGE_BYTES,
    min: 1,
    description:
      'largest message body a consumer reads; a bigger delivery is refused from its header, before its body is read, and dead-lettered (memory stays within prefetch x this per queue)',
  },
  maxRetries: {
    type: 'int',
    env: 'MAX_RETRIES',
    default: 3,
    min: 0,
    description: 'times a failing message is retried before it goes to the dead-letter queue',
  },
  quorum: {
    type: 'boolean',
    env: 'QUORUM_QUEUES',
    default: false,
    description:
      'declare the queues as quorum queues, the dead-letter queue too (replicated; the choice for a RabbitMQ cluster)',
  },
  rpcTimeoutMs: {
    type: 'int',
    env: 'RPC_TIMEOUT_MS',
    default: 5_000,
    min: 1,
    description: 'how long judge waits for pythagoras before the request fails',
  },
  latencyMs: {
    type: 'int',
    env: 'LATENCY_MS',
    default: 0,
    min: 0,
    max: 600_000,
    description:
      "knob: milliseconds added to every delivery this process's roles handle (a slow role: watch the queue fill)",
  },
  failRate: {
    type: 'number',
    env: 'FAIL_RATE',
    default: 0,
    min: 0,
    max: 1,
    description:
      'knob: probability (0..1) that handling a delivery fails: retried, then dead-lettered (a faulty role)',
  },
});

/** Options of the roles themselves. */
export const roleOptions = defineOptions({
  points: {
    type: 'int',
    env: 'POINTS',
    short: 'n',
    default: 0,
    min: 0,
    description: 'bitsource: points to publish before exiting (0 = forever)',
  },
  rate: {
    type: 'number',
    env: 'RATE',
    default: 100,
    min: 0,
    description: 'bitsource: points per second (0 = as fast as confirms allow; the book sleeps 10 ms)',
  },
  port: {
    type: 'port',
    env: 'PORT',
    short: 'p',
    default: 8006,
    description: 'tally: HTTP port for /estimate (0 = any free port)',
  },
  host: {
    type: 'string',
    env: 'HOST',
    default: '127.0.0.1',
    description: 'tally: address the HTTP port binds',
  },
  printEvery: {
    type: 'int',
    env: 'PRINT_EVERY',
    default: 1000,
    min: 0,
    description: 'tally: print the estimate every N decisions (1 = every one, like the book; 0 = never)',
  },
  tallyStateFile: {
    type: 'string',
    env: 'TALLY_STATE_FILE',
    default: '',
    description:
      'tally: file keeping the counts across restarts, written before decisions are acked (empty = <os temp dir>/rabbit-pipeline-tally-<prefix>.json; mount a volume for it in a container)',
  },
  tallyCheckpointMs: {
    type: 'int',
    env: 'TALLY_CHECKPOINT_MS',
    default: 20,
    min: 1,
    max: 60_000,
    description: 'tally: save the counts (and then ack) at most this long after a decision arrives',
  },
  tallyCheckpointEvery: {
    type: 'int',
    env: 'TALLY_CHECKPOINT_EVERY',
    default: 0,
    min: 0,
    description:
      'tally: …or as soon as this many decisions wait for a save (0 = half of PREFETCH; capped at PREFETCH)',
  },
});

/** The tally's counts on a volume of their own, so they survive restarts and re-creation. */
const tallyState = (volume: string): StateVolume => ({
  volume,
  env: 'TALLY_STATE_FILE',
  file: 'tally.json',
  why: "the tally's counts survive restarts and re-creation",
});

export const manifest = defineService({
  name: 'rabbit-pipeline',
  chapter: '8',
  description: "queuepi.py's pipeline, publish/subscribe and request/reply over RabbitMQ, computing pi",
  command: ['serve'],
  ports: [{ name: 'tally', protocol: 'tcp', option: 'port', public: true }],
  needs: ['rabbitmq'],
  options: defineOptions({
    role: {
      type: 'enum',
      env: 'ROLE',
      choices: [...ROLES, 'all'] as const,
      default: 'all',
      description: 'which role this process runs',
    },
    ...brokerOptions,
    ...roleOptions,
    host: { ...roleOptions.host, default: '0.0.0.0' },
    ...serviceOptions(9106),
    ...httpLimitOptions(),
  }),
  deploy: {
    state: tallyState('tally-state'),
    profiles: {
      pipeline: 'the pi pipeline of rabbit-pipeline, one container per role, its tally on :8016',
      'mq-cluster':
        'a three-node RabbitMQ cluster, rabbit-pipeline-mq-cluster on quorum queues there, its tally on :8026',
    },
    variants: [
      // The pipeline one role per container, on its own queues; `judge` scales.
      ...ROLES.map((role) => ({
        name: role,
        profile: 'pipeline',
        env: {
          ROLE: { value: role, why: 'one role of the pipeline per container' },
          AMQP_PREFIX: {
            value: 'pipeline',
            why: "its own queues, apart from the default profile's rabbit-pipeline",
          },
        },
        // The default profile's rabbit-pipeline already holds the tally port on the host.
        ...(role === 'tally' ? { hostPortOffset: 10, state: tallyState('pipeline-tally-state') } : {}),
        ...(role === 'judge' ? { scalable: true } : {}),
        resources: { cpus: '0.25', memory: '192M' },
      })),
      {
        name: 'rabbit-pipeline-mq-cluster',
        profile: 'mq-cluster',
        backing: ['rabbitmq-cluster'],
        hostPortOffset: 20,
        env: {
          AMQP_URL: {
            value: [0, 1, 2].map((i) => `amqp://guest:guest@rabbitmq-node-${i}:5672`).join(','),
            why: 'every node: a dropped connection moves to the next',
          },
          QUORUM_QUEUES: {
            value: 'true',
            why: 'queues replicated on the three nodes, the dead-letter queue too',
          },
          AMQP_PREFIX: { value: 'mq-cluster', why: 'its own queues on its own brokers' },
        },
        state: tallyState('mq-cluster-tally-state'),
      },
    ],
  },
});
