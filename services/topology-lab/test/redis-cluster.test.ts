/**
 * The Redis side against real servers: a one-node Redis Cluster holding every slot (CLUSTER
 * SHARDS read from it), and keys, role and down/up of a plain server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, redisServerArgs } from '@fopnp/net';
import {
  type BackgroundProcess,
  freePort,
  run,
  startProcess,
  stopAll,
  waitForPort,
} from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSource } from '../src/sources/redis.js';

describe('the Redis source', () => {
  let dir: string;
  let clusterPort: number;
  let plainPort: number;
  let plain: BackgroundProcess;
  const logger = createLogger('test', { level: 'silent' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'topology-lab-redis-'));
    [clusterPort, plainPort] = [await freePort(), await freePort()];
    startProcess('redis-server', [
      ...redisServerArgs(clusterPort, { dir }),
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, 'nodes.conf'),
    ]);
    plain = startProcess('redis-server', redisServerArgs(plainPort, { dir }));
    await waitForPort(clusterPort);
    await waitForPort(plainPort);
    const add = await run('redis-cli', ['-p', String(clusterPort), 'CLUSTER', 'ADDSLOTSRANGE', '0', '16383']);
    expect(add.stdout.trim()).toBe('OK');
    for (let i = 0; i < 3; i++) await run('redis-cli', ['-p', String(plainPort), 'SET', `k${i}`, 'v']);
  });

  afterAll(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads a cluster node's slot ranges from CLUSTER SHARDS and a plain server's keys and role", async () => {
    const source = new RedisSource(
      [`redis://127.0.0.1:${clusterPort}`, `redis://127.0.0.1:${plainPort}`],
      logger,
    );
    try {
      const nodes = await source.poll();
      const cluster = nodes.find((n) => n.address === `127.0.0.1:${clusterPort}`)!;
      expect(cluster).toMatchObject({
        health: 'up',
        role: 'master',
        clusterEnabled: true,
        slots: [[0, 16383]],
      });
      const p = nodes.find((n) => n.address === `127.0.0.1:${plainPort}`)!;
      expect(p).toMatchObject({ health: 'up', role: 'master', keys: 3, clusterEnabled: false, slots: [] });
    } finally {
      await source.close();
    }
  });

  it('answers down at once for a server that stops, and up again when it is back', async () => {
    const source = new RedisSource([`redis://127.0.0.1:${plainPort}`], logger);
    try {
      expect((await source.poll())[0]!.health).toBe('up');
      await plain.stop();
      const t0 = Date.now();
      const down = (await source.poll())[0]!;
      expect(down.health).toBe('down');
      expect(Date.now() - t0).toBeLessThan(2_000);
      startProcess('redis-server', redisServerArgs(plainPort, { dir }));
      await waitForPort(plainPort);
      let back = 'down';
      for (let i = 0; i < 30 && back !== 'up'; i++) {
        await new Promise((r) => setTimeout(r, 200));
        back = (await source.poll())[0]!.health;
      }
      expect(back).toBe('up');
    } finally {
      await source.close();
    }
  });
});
