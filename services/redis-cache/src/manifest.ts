/** redis-cache declared once: ports, options, env vars, defaults. */
import { defineOptions, defineService, httpLimitOptions, serviceOptions } from '@fopnp/net/cli';
import { DEFAULT_CACHE_OPTIONS, DEFAULT_DEMO_DELAY_MS, SERIALIZERS } from './options.js';
import { STRATEGY_NAMES } from './sharding/strategies.js';
import { TWEMPROXY_HASHES } from './sharding/twemproxy-hash.js';
import { HASH_INPUTS, TOPOLOGY_KINDS } from './topology/types.js';

/** Options that pick and tune the cache (shared by `serve` and the library-facing commands). */
export const cacheOptions = defineOptions({
  topology: {
    type: 'enum',
    choices: TOPOLOGY_KINDS,
    env: 'CACHE_TOPOLOGY',
    default: 'single',
    description:
      'single Redis, client-side shards, Redis Cluster, a twemproxy that shards, or Redis Sentinel',
  },
  redisUrl: {
    type: 'string',
    env: 'REDIS_URL',
    default: 'redis://127.0.0.1:6379',
    description: 'the Redis of the single topology',
  },
  shards: {
    type: 'list',
    env: 'REDIS_SHARDS',
    description: 'comma-separated redis:// URLs of the sharded topology, in shard order',
  },
  strategy: {
    type: 'enum',
    choices: STRATEGY_NAMES,
    env: 'SHARD_STRATEGY',
    default: 'jump',
    description:
      "how the sharded topology picks a shard; for proxy, the pool's distribution (ketama or modula)",
  },
  shardHash: {
    type: 'enum',
    choices: TWEMPROXY_HASHES,
    env: 'SHARD_HASH',
    description:
      'key hash of ketama and modula, as twemproxy names it [default md5 for sharded ketama, else fnv1a_64]',
  },
  shardNames: {
    type: 'list',
    env: 'SHARD_NAMES',
    description:
      'names of the shards on the ketama ring, in order, as in twemproxy\'s "host:port:weight name" [default server0.. (sharded), host:port (proxy)]',
  },
  shardWeights: {
    type: 'list',
    env: 'SHARD_WEIGHTS',
    description: 'integer weight of each shard, in order, for ketama and modula [default 1 each]',
  },
  shardHashInput: {
    type: 'enum',
    choices: HASH_INPUTS,
    env: 'SHARD_HASH_INPUT',
    default: 'key',
    description:
      'what the sharded topology hashes: the key, or the whole Redis key "<namespace>:<key>" as twemproxy does (to share servers with it)',
  },
  proxyUrl: {
    type: 'string',
    env: 'TWEMPROXY_URL',
    description:
      "redis:// URL of the proxy topology's twemproxy (its listen address; give the pool's servers in --shards for per-server numbers)",
  },
  clusterNodes: {
    type: 'list',
    env: 'REDIS_CLUSTER_NODES',
    description: 'comma-separated host:port seeds of the cluster topology',
  },
  sentinels: {
    type: 'list',
    env: 'REDIS_SENTINELS',
    description: 'comma-separated host:port of the sentinels of the sentinel topology',
  },
  sentinelMaster: {
    type: 'string',
    env: 'REDIS_SENTINEL_MASTER',
    default: 'mymaster',
    description: 'the name the sentinels monitor the master under',
  },
  replicaReads: {
    type: 'boolean',
    env: 'CACHE_REPLICA_READS',
    default: false,
    description:
      'cluster and sentinel topologies: serve reads from replicas (a read right after a write may be stale)',
  },
  namespace: {
    type: 'string',
    env: 'CACHE_NAMESPACE',
    default: DEFAULT_CACHE_OPTIONS.namespace,
    description: 'prefix of every key written (A-Z a-z 0-9 . _ -)',
  },
  ttlMs: {
    type: 'int',
    env: 'CACHE_TTL_MS',
    default: DEFAULT_CACHE_OPTIONS.ttlMs,
    min: 1,
    description: 'lifetime of a cached value',
  },
  negativeTtlMs: {
    type: 'int',
    env: 'CACHE_NEGATIVE_TTL_MS',
    default: DEFAULT_CACHE_OPTIONS.negativeTtlMs,
    min: 1,
    description: 'lifetime of a cached "absent"',
  },
  ttlJitter: {
    type: 'number',
    env: 'CACHE_TTL_JITTER',
    default: DEFAULT_CACHE_OPTIONS.ttlJitter,
    min: 0,
    max: 1,
    description: 'each TTL is stretched by up to this fraction, at random',
  },
  maxValueBytes: {
    type: 'int',
    env: 'CACHE_MAX_VALUE_BYTES',
    default: DEFAULT_CACHE_OPTIONS.maxValueBytes,
    min: 1,
    description: 'largest encoded value stored (413 above it)',
  },
  serializer: {
    type: 'enum',
    choices: SERIALIZERS,
    env: 'CACHE_SERIALIZER',
    default: DEFAULT_CACHE_OPTIONS.serializer,
    description: 'how values are encoded in Redis',
  },
  opTimeoutMs: {
    type: 'int',
    env: 'REDIS_OP_TIMEOUT_MS',
    default: DEFAULT_CACHE_OPTIONS.opTimeoutMs,
    min: 1,
    description: 'bound on one Redis call; past it the cache fails open',
  },
});

export const manifest = defineService({
  name: 'redis-cache',
  chapter: '8',
  description:
    'cache-aside over Redis in every topology (single, client-side shards, Redis Cluster, twemproxy, Sentinel)',
  command: ['serve'],
  ports: [{ name: 'http', protocol: 'tcp', option: 'port', public: true }],
  needs: ['redis'],
  options: {
    port: { type: 'port', env: 'PORT', short: 'p', default: 8005, description: 'HTTP port of the cache API' },
    host: { type: 'string', env: 'HOST', default: '0.0.0.0', description: 'address the HTTP port binds' },
    ...cacheOptions,
    demoDelayMs: {
      type: 'int',
      env: 'DEMO_LOADER_DELAY_MS',
      default: DEFAULT_DEMO_DELAY_MS,
      min: 0,
      max: 60_000,
      description: 'how slow the /demo/slow/:key loader is',
    },
    ...serviceOptions(9105),
    ...httpLimitOptions(),
  },
  deploy: {
    stateless: true,
    profiles: {
      sharded: 'four Redis shards, redis-cache-sharded on :8015',
      cluster: 'a six-node Redis Cluster, the one-shot job that forms it, redis-cache-cluster on :8025',
      sentinel: 'a master, two replicas and three sentinels, redis-cache-sentinel on :8035',
      proxy: 'four Redis shards behind twemproxy (nutcracker), redis-cache-proxy on :8045',
    },
    variants: [
      {
        name: 'redis-cache-sharded',
        profile: 'sharded',
        backing: ['redis-shards'],
        hostPortOffset: 10,
        env: {
          CACHE_TOPOLOGY: { value: 'sharded', why: "redis-cache's sharded topology" },
          REDIS_SHARDS: {
            value: [0, 1, 2, 3].map((i) => `redis://redis-shard-${i}:6379`).join(','),
            why: 'the four shards, in shard order',
          },
        },
      },
      {
        name: 'redis-cache-cluster',
        profile: 'cluster',
        backing: ['redis-cluster'],
        hostPortOffset: 20,
        env: {
          CACHE_TOPOLOGY: { value: 'cluster', why: "redis-cache's cluster topology" },
          REDIS_CLUSTER_NODES: {
            value: [0, 1, 2, 3, 4, 5].map((i) => `redis-node-${i}:6379`).join(','),
            why: 'seed nodes; the client learns the rest from the cluster',
          },
        },
      },
      {
        name: 'redis-cache-sentinel',
        profile: 'sentinel',
        backing: ['redis-sentinel'],
        hostPortOffset: 30,
        env: {
          CACHE_TOPOLOGY: { value: 'sentinel', why: "redis-cache's sentinel topology" },
          REDIS_SENTINELS: {
            value: [0, 1, 2].map((i) => `redis-sentinel-${i}:26379`).join(','),
            why: 'the three sentinels; they name the master',
          },
          REDIS_SENTINEL_MASTER: { value: 'fopnp', why: 'the name the sentinels monitor' },
        },
      },
      {
        name: 'redis-cache-proxy',
        profile: 'proxy',
        backing: ['redis-shards', 'twemproxy'],
        hostPortOffset: 40,
        env: {
          CACHE_TOPOLOGY: { value: 'proxy', why: "redis-cache's proxy topology" },
          TWEMPROXY_URL: { value: 'redis://twemproxy:22121', why: "twemproxy's pool" },
          REDIS_SHARDS: {
            value: [0, 1, 2, 3].map((i) => `redis://redis-shard-${i}:6379`).join(','),
            why: "the pool's servers, for per-server numbers and where",
          },
          SHARD_STRATEGY: { value: 'ketama', why: "the pool's distribution" },
          SHARD_HASH: { value: 'fnv1a_64', why: "the pool's hash" },
          SHARD_NAMES: { value: 'shard0,shard1,shard2,shard3', why: "the pool's server names" },
        },
      },
    ],
  },
});
