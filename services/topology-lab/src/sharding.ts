/**
 * The sharding side of the lab, over the real servers: which shard (or cluster node) holds a
 * key — computed under each of redis-cache's strategies and looked up with EXISTS — and the
 * share of keys that move when the last configured shard is added, measured by writing keys
 * through the first N−1 shards and reading them back through all N (redis-cache's
 * `measureLiveMovement`).
 */
import type { Logger } from '@fopnp/net';
import { createStrategy, loadWords, measureLiveMovement, STRATEGY_NAMES } from '@fopnp/redis-cache';
import { MAX_KEY_LENGTH } from '@fopnp/redis-cache/protocol';
import { LabError } from './errors.js';
import type { MovementView, RedisNodeView, WhereView } from './snapshot.js';
import { addressOfUrl, type RedisSource } from './sources/redis.js';

/** Keys written per strategy by the movement measurement. */
export const MOVEMENT_KEYS = 2_000;

/** A key the lab will look up: non-empty, at most redis-cache's limit, no control characters. */
export function checkKey(key: string | null): string {
  if (key === null || key === '') throw new LabError('BAD_KEY', 'give ?key=<the key>');
  if (Buffer.byteLength(key) > MAX_KEY_LENGTH)
    throw new LabError('BAD_KEY', `a key is at most ${MAX_KEY_LENGTH} bytes`);
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new LabError('BAD_KEY', 'no control characters in a key');
  return key;
}

function keysForMovement(n: number): string[] {
  const words = loadWords(); // /usr/share/dict/words, else the list redis-cache ships
  const step = Math.max(1, Math.floor(words.length / n));
  const out: string[] = [];
  for (let i = 0; i < words.length && out.length < n; i += step) out.push(words[i]!);
  return out;
}

export class Sharding {
  readonly shards: string[];
  private movement: MovementView | null = null;
  private measuring: Promise<MovementView> | undefined;

  constructor(
    shardUrls: readonly string[],
    readonly namespace: string,
    private readonly redis: RedisSource,
    private readonly logger: Logger,
  ) {
    this.shards = shardUrls.map(addressOfUrl);
    this.urls = [...shardUrls].map((u) => (u.includes('://') ? u : `redis://${u}`));
  }
  private readonly urls: string[];

  get lastMovement(): MovementView | null {
    return this.movement;
  }

  /** Where `key` is, given the latest view of the Redis servers (for the cluster's slot owners). */
  async where(key: string, nodes: readonly RedisNodeView[]): Promise<WhereView> {
    const redisKey = `${this.namespace}:${key}`;
    const view: WhereView = { key, redisKey, shards: null, cluster: null };
    if (this.shards.length > 0) {
      const n = this.shards.length;
      // Client-side shards hash the user key (redis-cache's default), the cluster the Redis key.
      const placements = STRATEGY_NAMES.map((strategy) => {
        const shard = createStrategy(strategy, n).shardFor(key);
        return { strategy, shard, address: this.shards[shard]! };
      });
      const holders: string[] = [];
      const down: string[] = [];
      await Promise.all(
        this.shards.map(async (a) => {
          try {
            if (Number(await this.redis.call(a, 'EXISTS', redisKey)) === 1) holders.push(a);
          } catch {
            down.push(a);
          }
        }),
      );
      const order = (a: string) => this.shards.indexOf(a);
      view.shards = {
        placements,
        holders: holders.sort((a, b) => order(a) - order(b)),
        down: down.sort((a, b) => order(a) - order(b)),
      };
    }
    const clusterNodes = nodes.filter((x) => x.clusterEnabled && x.health === 'up');
    if (clusterNodes.length > 0) {
      let slot: number | null = null;
      for (const node of clusterNodes) {
        try {
          slot = Number(await this.redis.call(node.address, 'CLUSTER', 'KEYSLOT', redisKey));
          break;
        } catch {
          /* the next node */
        }
      }
      if (slot !== null) {
        const s = slot;
        const owner =
          nodes.find((x) => x.role === 'master' && x.slots.some(([a, b]) => s >= a && s <= b))?.address ??
          null;
        let present: boolean | null = null;
        if (owner) {
          present = await this.redis.call(owner, 'EXISTS', redisKey).then(
            (r) => Number(r) === 1,
            () => null,
          );
        }
        view.cluster = { slot, owner, present };
      }
    }
    return view;
  }

  /**
   * Writes MOVEMENT_KEYS words through the first N−1 shards under each strategy, reads them
   * back through all N and counts the misses (keys a cache would lose by growing). One at a
   * time; every key written is deleted afterwards.
   */
  measureMovement(): Promise<MovementView> {
    if (this.shards.length < 2)
      return Promise.reject(
        new LabError('NO_SHARDS', 'key movement needs at least two shards (REDIS_SHARDS)'),
      );
    this.measuring ??= (async () => {
      const t0 = performance.now();
      const keys = keysForMovement(MOVEMENT_KEYS);
      const namespace = `topology-lab-movement-${process.pid}-${Date.now()}`;
      const rows = [];
      for (const strategy of STRATEGY_NAMES) {
        const m = await measureLiveMovement({
          urls: this.urls.slice(0, -1),
          added: this.urls.at(-1)!,
          strategy,
          keys,
          namespace,
          logger: this.logger,
        });
        rows.push({ ...m });
      }
      this.movement = { at: Date.now(), tookMs: Math.round(performance.now() - t0), rows };
      return this.movement;
    })().finally(() => {
      this.measuring = undefined;
    });
    return this.measuring;
  }
}
