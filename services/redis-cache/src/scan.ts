/** Namespace-wide operations over every data server, with SCAN so Redis is never blocked. */
import type { DataNode } from './topology/types.js';

export interface ShardKeyCount {
  id: string;
  /** Keys of the namespace on this server; null when it could not be counted (down). */
  keys: number | null;
  error?: string;
}

async function* scanKeys(node: DataNode, pattern: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await node.client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) yield keys;
  } while (cursor !== '0');
}

export function countKeys(nodes: DataNode[], pattern: string, timeoutMs: number): Promise<ShardKeyCount[]> {
  return Promise.all(
    nodes.map(async (node): Promise<ShardKeyCount> => {
      const work = (async () => {
        let n = 0;
        for await (const batch of scanKeys(node, pattern)) n += batch.length;
        return n;
      })();
      try {
        const keys = await Promise.race([
          work,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`counting keys took over ${timeoutMs} ms`)), timeoutMs).unref(),
          ),
        ]);
        return { id: node.id, keys };
      } catch (err) {
        work.catch(() => {});
        return { id: node.id, keys: null, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}

/** UNLINKs every key matching the patterns on every node; returns how many went. */
export async function deleteKeys(nodes: DataNode[], patterns: readonly string[]): Promise<number> {
  let deleted = 0;
  for (const node of nodes) {
    for (const pattern of patterns) {
      for await (const batch of scanKeys(node, pattern)) deleted += await node.client.unlink(...batch);
    }
  }
  return deleted;
}
