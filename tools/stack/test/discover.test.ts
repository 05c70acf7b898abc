import { describe, expect, it } from 'vitest';
import { mapHosts } from '../src/discover.js';

describe('mapping compose host names to this machine', () => {
  const names = ['redis', 'rabbitmq', 'redis-cache', 'zen-asyncio', 'postgres'];

  it('rewrites host names in URLs and host:port values, keeping ports', () => {
    expect(mapHosts('redis://redis:6379', names)).toBe('redis://127.0.0.1:6379');
    expect(mapHosts('amqp://guest:guest@rabbitmq:5672', names)).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(mapHosts('zen-asyncio:1061', names)).toBe('127.0.0.1:1061');
    expect(mapHosts('http://redis-cache:8005/cache', names)).toBe('http://127.0.0.1:8005/cache');
    expect(mapHosts('postgres://postgres@postgres:5432/bank', names)).toBe(
      'postgres://postgres@127.0.0.1:5432/bank',
    );
  });

  it('does not touch words that merely contain a host name', () => {
    expect(mapHosts('redis-cache-sharded', names)).toBe('redis-cache-sharded');
    expect(mapHosts('myredis:6379', names)).toBe('myredis:6379');
    expect(mapHosts('sharded', names)).toBe('sharded');
  });

  it('gives each Redis shard and cluster node its own local port', () => {
    expect(mapHosts('redis://redis-shard-0:6379,redis://redis-shard-3:6379', names)).toBe(
      'redis://127.0.0.1:6391,redis://127.0.0.1:6394',
    );
    expect(mapHosts('redis-node-0:6379,redis-node-5:6379', names)).toBe('127.0.0.1:7101,127.0.0.1:7106');
  });
});
