import { fileURLToPath } from 'node:url';
import { cliTestKit, runNode } from '@fopnp/net/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/cache.js';
import { SingleTopology } from '../src/topology/single.js';
import { SHARED_REDIS_URL, testNamespace } from './helpers/namespace.js';
import { type RedisServer, startRedisServers, stopRedisServers } from './helpers/redis-servers.js';

const { CLI: cli } = cliTestKit(import.meta.url);
const words = fileURLToPath(new URL('../data/words.txt', import.meta.url));

describe('redis-cache shard-report', () => {
  it("prints the book's table: keys and share per server", async () => {
    const r = await runNode(cli, ['shard-report', '--strategy', 'md5', '--shards', '4', '--words', words]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^10551 words from .*words\.txt, 4 servers$/m);
    const rows = [...r.stdout.matchAll(/^ {3}server(\d) +(\d+) +([\d.]+)%$/gm)];
    expect(rows.map((m) => m[1])).toEqual(['0', '1', '2', '3']);
    expect(rows.reduce((a, m) => a + Number(m[2]), 0)).toBe(10551);
    for (const m of rows) expect(Math.abs(Number(m[3]) - 25)).toBeLessThan(1.5);
  });

  it('with --grow prints every strategy side by side against the theory', async () => {
    const r = await runNode(cli, ['shard-report', '--shards', '4', '--grow', '5', '--words', words]);
    expect(r.code).toBe(0);
    const moved = Object.fromEntries(
      [...r.stdout.matchAll(/^ {3}(?!server)(\w+) +\d+ +([\d.]+)%$/gm)].map((m) => [m[1], Number(m[2])]),
    );
    expect(Object.keys(moved)).toEqual(['alpha', 'hash', 'md5', 'ketama', 'jump', 'modula']);
    expect(moved.modula).toBeGreaterThan(75);
    expect(moved.md5).toBeGreaterThan(75);
    expect(moved.jump).toBeLessThan(25);
    expect(r.stdout).toMatch(
      /theory: modulo moves about 1 - 1\/5 = 80\.0%; consistent hashing about 1\/5 = 20\.0%/,
    );
  });

  it('says what is wrong with a bad strategy or an unreadable word list, exit 2', async () => {
    const bad = await runNode(cli, ['shard-report', '--strategy', 'crc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /invalid value for --strategy: expected one of all, alpha, hash, md5, ketama, jump/,
    );
    const missing = await runNode(cli, ['shard-report', '--words', '/nonexistent/words']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/invalid value for --words: cannot read \/nonexistent\/words/);
  });
});

describe('redis-cache with a Redis address that is not one', () => {
  it('names the option and exits 2 instead of connecting somewhere else', async () => {
    const cases = [
      [['demo', 'k', '--redis-url', 'not a url'], /invalid value for --redis-url: "not a url" is not a URL/],
      [
        ['demo', 'k', '--redis-url', 'http://127.0.0.1:6379'],
        /--redis-url: .* is not a redis:\/\/ or rediss:\/\/ URL \(got http:\/\/\)/,
      ],
      [
        ['demo', 'k', '--topology', 'sharded', '--shards', 'redis://127.0.0.1:6379,zzz'],
        /invalid value for --shards: "zzz" is not a URL/,
      ],
      [
        ['demo', 'k', '--topology', 'cluster', '--cluster-nodes', '127.0.0.1:99999'],
        /invalid value for --cluster-nodes: "127.0.0.1:99999" is not host:port/,
      ],
      [
        ['live-movement', '--shards', 'zzz', '--add', 'redis://127.0.0.1:6379', '--keys', '1'],
        /invalid value for --shards: "zzz" is not a URL/,
      ],
    ] as const;
    const runs = await Promise.all(cases.map(([args]) => runNode(cli, [...args])));
    runs.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(cases[i]![1]);
      expect(r.stdout).toBe('');
    });
  });
});

describe('redis-cache live-movement and demo against real Redis', () => {
  let servers: RedisServer[] = [];
  beforeAll(async () => {
    servers = await startRedisServers(3);
  });
  afterAll(async () => {
    await stopRedisServers(servers);
  });

  it('counts the keys that moved to a third live shard', async () => {
    const r = await runNode(cli, [
      'live-movement',
      '--shards',
      `${servers[0]!.url},${servers[1]!.url}`,
      '--add',
      servers[2]!.url,
      '--keys',
      '3000',
      '--strategy',
      'jump',
      '--words',
      words,
    ]);
    expect(r.code, r.stderr).toBe(0);
    // Progress on stderr, ending with both phases complete; the table alone on stdout.
    expect(r.stderr).toContain('live-movement: jump: loading 3000/3000 keys\n');
    expect(r.stderr).toContain('live-movement: jump: looking up 3000/3000 keys\n');
    expect(r.stdout).not.toContain('live-movement:');
    const m = r.stdout.match(/^ {3}jump +(\d+) +([\d.]+)%/m);
    expect(Number(m?.[2])).toBeGreaterThan(28);
    expect(Number(m?.[2])).toBeLessThan(39);
    for (const s of servers) expect(await s.cli('DBSIZE')).toBe('0');
  });

  it('refuses to measure when a shard is unreachable', async () => {
    const r = await runNode(cli, [
      'live-movement',
      '--shards',
      servers[0]!.url,
      '--add',
      'redis://127.0.0.1:1',
      '--keys',
      '10',
    ]);
    // Not a usage error (exit 2): the options are right, a server is down; it is named.
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unreachable: shard1 \(redis:\/\/127\.0\.0\.1:1\)/);
  });

  it('demo with Redis down fails with exit 1, naming the address, instead of two fail-open lines', async () => {
    const r = await runNode(cli, ['demo', 'k', '--redis-url', 'redis://127.0.0.1:1', '--delay-ms', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error: cache unavailable: single Redis at redis:\/\/127\.0\.0\.1:1: single \(redis:\/\/127\.0\.0\.1:1\) not answering/m,
    );
    expect(r.stderr).not.toContain("Stream isn't writeable");
  });

  it('demo shows the slow miss and the fast hit', async () => {
    const ns = testNamespace('demo');
    const r = await runNode(cli, [
      'demo',
      'k',
      '--redis-url',
      SHARED_REDIS_URL,
      '--namespace',
      ns,
      '--delay-ms',
      '200',
      '--ttl-ms',
      '5000',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = [...r.stdout.matchAll(/^(\S+) +([\d.]+) ms/gm)];
    expect(lines.map((l) => l[1])).toEqual(['loader', 'cache']);
    expect(Number(lines[0]![2])).toBeGreaterThanOrEqual(195);
    expect(Number(lines[1]![2])).toBeLessThan(100);
    const cleaner = new Cache({ topology: new SingleTopology(SHARED_REDIS_URL), namespace: ns });
    expect(await cleaner.clear()).toBe(1);
    await cleaner.close();
  });
});
