#!/usr/bin/env node
/**
 * redis-cache: the book's ch. 8 hashing.py as a sharding explorer, live key-movement
 * figures against real Redis servers, a cache-aside demo, and `serve` (the HTTP API).
 */
import { defineCommand, InvalidConfigError, runCli, serveCommand } from '@fopnp/net/cli';
import { cacheOptions, manifest } from './manifest.js';
import { DEFAULT_DEMO_DELAY_MS } from './options.js';
import { STRATEGY_NAMES, type StrategyName } from './sharding/strategies.js';

/** The commands' code, loaded when one runs, so `--help` loads no Redis client or kit runtime code (issue 20). */
async function load() {
  const [cache, config, errors, keys, liveMovement, analysis, words, topology] = await Promise.all([
    import('./cache.js'),
    import('./config.js'),
    import('./errors.js'),
    import('./keys.js'),
    import('./live-movement.js'),
    import('./sharding/analysis.js'),
    import('./sharding/words.js'),
    import('./topology/index.js'),
  ]);
  return { ...cache, ...config, ...errors, ...keys, ...liveMovement, ...analysis, ...words, ...topology };
}

const out = (s: string) => process.stdout.write(s);

const strategyChoice = {
  type: 'enum',
  choices: ['all', ...STRATEGY_NAMES],
  default: 'all',
  description: 'sharding strategy to report (all = every one)',
} as const;
const wordsOption = {
  type: 'string',
  description: 'word list, one word a line [default /usr/share/dict/words, else the shipped data/words.txt]',
} as const;

function strategiesOf(choice: string): StrategyName[] {
  return choice === 'all' ? [...STRATEGY_NAMES] : [choice as StrategyName];
}

async function wordsFrom(path: string | undefined): Promise<{ path: string; words: string[] }> {
  const { defaultWordsPath, loadWords } = await load();
  const p = path ?? defaultWordsPath();
  try {
    return { path: p, words: loadWords(p) };
  } catch (err) {
    throw new InvalidConfigError('--words', `cannot read ${p}: ${(err as Error).message}`);
  }
}

const shardReport = defineCommand({
  description:
    "the book's hashing.py table: keys per server for a word list, and keys moved when a shard is added",
  options: {
    strategy: strategyChoice,
    shards: { type: 'int', default: 4, min: 1, max: 1024, description: 'number of servers' },
    words: wordsOption,
    grow: {
      type: 'int',
      min: 1,
      max: 1024,
      description: 'also show keys moved going from --shards to this many (every strategy)',
    },
  },
  async run({ values }) {
    const { distribution, formatDistribution, formatMovementTable, movementForAll } = await load();
    const { path, words } = await wordsFrom(values.words);
    if (words.length === 0) throw new InvalidConfigError('--words', `${path} holds no words`);
    out(`${words.length} words from ${path}, ${values.shards} servers\n\n`);
    for (const s of strategiesOf(values.strategy))
      out(`${formatDistribution(distribution(s, values.shards, words))}\n`);
    if (values.grow !== undefined) {
      if (values.grow === values.shards) throw new InvalidConfigError('--grow', 'must differ from --shards');
      out(formatMovementTable(movementForAll(values.shards, values.grow, words)));
    }
    return 0;
  },
});

const liveMovement = defineCommand({
  description: 'load keys into live shards, add one shard, and count the keys that moved (cache misses)',
  options: {
    shards: {
      type: 'list',
      env: 'REDIS_SHARDS',
      description: 'redis:// URLs holding the keys first (repeat or comma-separate)',
    },
    add: { type: 'string', description: 'redis:// URL of the shard added afterwards' },
    strategy: strategyChoice,
    keys: {
      type: 'int',
      default: 10_000,
      min: 1,
      max: 1_000_000,
      description: 'how many words to load as keys',
    },
    words: wordsOption,
    namespace: {
      type: 'string',
      default: `movement-${process.pid}`,
      description: 'namespace of the demo keys (deleted afterwards)',
    },
  },
  async run({ values }) {
    const {
      checkRedisUrl,
      Cache,
      createTopology,
      CacheUnavailableError,
      measureLiveMovement,
      formatLiveMovement,
    } = await load();
    if (values.shards.length === 0)
      throw new InvalidConfigError('--shards', 'give at least one redis:// URL');
    if (!values.add) throw new InvalidConfigError('--add', 'give the redis:// URL of the shard to add');
    for (const url of values.shards) checkRedisUrl('--shards', url);
    checkRedisUrl('--add', values.add);
    const { words } = await wordsFrom(values.words);
    const keys = words.slice(0, values.keys);
    const rows = [];
    for (const strategy of strategiesOf(values.strategy)) {
      const probe = new Cache({
        topology: createTopology({ kind: 'sharded', urls: [...values.shards, values.add], strategy: 'jump' }),
      });
      await probe.started();
      const health = await probe.probe();
      await probe.close();
      // Not a usage error: the options are right, the servers are not answering.
      if (health.status !== 'ok')
        throw new CacheUnavailableError(
          `unreachable: ${probe.describe(health.down)} (shard0..N in the order given, then --add); live-movement needs every shard`,
        );
      // Progress on stderr (the table is stdout), at most once a second: the load of a big
      // word list takes a while on a busy machine, and silence looks like a hang.
      let said = 0;
      rows.push(
        await measureLiveMovement({
          urls: values.shards,
          added: values.add,
          strategy,
          keys,
          namespace: values.namespace,
          onProgress: (phase, done, total) => {
            if (done < total && Date.now() - said < 1000) return;
            said = Date.now();
            process.stderr.write(`live-movement: ${strategy}: ${phase} ${done}/${total} keys\n`);
          },
        }),
      );
    }
    out(formatLiveMovement(rows));
    return 0;
  },
});

const demo = defineCommand({
  description: 'getOrLoad one key twice with a slow loader and print both latencies (miss, then hit)',
  positionals: [{ name: 'key', description: 'cache key', default: 'demo' }],
  options: {
    ...cacheOptions,
    delayMs: { type: 'int', default: DEFAULT_DEMO_DELAY_MS, min: 0, description: 'how slow the loader is' },
  },
  async run({ values, positionals }) {
    const { createTopology, topologyConfig, Cache, cacheSettings, CacheUnavailableError } = await load();
    const key = positionals.key;
    const topology = createTopology(topologyConfig(values));
    const cache = new Cache({ topology, ...cacheSettings(values) });
    try {
      await cache.started();
      // The demo shows a miss then a hit: with Redis away both would be "fail-open" and the
      // run would look like a success.
      const health = await cache.probe();
      if (health.status !== 'ok')
        throw new CacheUnavailableError(
          `${topology.description}: ${cache.describe(health.down)} not answering, and the demo (a miss, then a hit) needs it. Start Redis (pnpm stack up, or redis-server) or point --redis-url at one`,
        );
      await cache.delete(key).catch(() => false);
      for (let i = 0; i < 2; i++) {
        const t = performance.now();
        const r = await cache.getOrLoadDetailed(key, async () => {
          await new Promise((res) => setTimeout(res, values.delayMs));
          return { key, computedAt: new Date().toISOString() };
        });
        out(
          `${r.source.padEnd(9)} ${(performance.now() - t).toFixed(1).padStart(8)} ms  ${JSON.stringify(r.value)}\n`,
        );
      }
    } finally {
      await cache.close();
    }
    return 0;
  },
});

const where = defineCommand({
  description: 'which shard / node / master holds a key under the topology the options describe',
  positionals: [{ name: 'key', description: 'cache key (without the namespace)' }],
  options: cacheOptions,
  async run({ values, positionals }) {
    const { validateKey, Cache, createTopology, topologyConfig, cacheSettings } = await load();
    const key = positionals.key;
    try {
      validateKey(key);
    } catch (err) {
      throw new InvalidConfigError('KEY', (err as Error).message);
    }
    const cache = new Cache({
      topology: createTopology(topologyConfig(values), { commandTimeoutMs: values.opTimeoutMs }),
      ...cacheSettings(values),
    });
    try {
      const at = await cache.locate(key);
      out(`${key} -> ${at.shard} ${at.server}\n   ${at.how}\n`);
    } finally {
      await cache.close();
    }
    return 0;
  },
});

const serve = serveCommand({
  manifest,
  start: async (ctx) => (await import('./service.js')).startService(ctx),
  description: `run the HTTP cache API (port ${manifest.options.port.default}) with health on ${manifest.options.healthPort.default}`,
});

process.exitCode = await runCli({
  name: 'redis-cache',
  description: `Book ch. ${manifest.chapter}: ${manifest.description}`,
  commands: { 'shard-report': shardReport, 'live-movement': liveMovement, demo, where, serve },
});
