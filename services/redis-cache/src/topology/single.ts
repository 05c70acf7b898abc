/** One Redis server holds everything. */
import { redactUrl } from '@fopnp/net';
import type { Redis } from 'ioredis';
import { closeClient, commandTimeoutOf, connectRedis, waitClientReady } from './connection.js';
import type { ConnectionTuning, DataNode, KeyLocation, ProbeTarget, Route, Topology } from './types.js';

export class SingleTopology implements Topology {
  readonly kind = 'single' as const;
  readonly description: string;
  readonly commandTimeoutMs: number;
  private readonly client: Redis;
  private readonly routeEntry: Route;
  private readonly server: string;

  constructor(url: string, tuning: ConnectionTuning = {}) {
    this.client = connectRedis(url, tuning);
    this.commandTimeoutMs = commandTimeoutOf(tuning);
    this.server = redactUrl(url);
    this.description = `single Redis at ${this.server}`;
    this.routeEntry = { id: 'single', client: this.client };
  }

  route(): Route {
    return this.routeEntry;
  }
  async locate(): Promise<KeyLocation> {
    return { shard: 'single', server: this.server, how: 'one server holds every key' };
  }
  probeTargets(): ProbeTarget[] {
    return [{ id: 'single', ping: () => this.client.ping() }];
  }
  dataNodes(): DataNode[] {
    return [{ id: 'single', client: this.client }];
  }
  waitReady(timeoutMs: number): Promise<boolean> {
    return waitClientReady(this.client, timeoutMs);
  }
  close(): Promise<void> {
    return closeClient(this.client);
  }
  addressOf(id: string): string | undefined {
    return id === 'single' ? this.server : undefined;
  }
}
