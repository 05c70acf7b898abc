/**
 * Which Redis owners (the single server, a shard, the cluster) are reachable. One outage is
 * logged once when it starts and once when it ends, however many calls fail in between;
 * readiness reads `status()`. A failed call starts an outage; a successful probe (a PING to
 * that server) or the server leaving the topology ends it. The state changes in one method
 * only (like ioredis setStatus).
 */
import type { Logger } from '@fopnp/net';

export interface Outage {
  id: string;
  since: number;
  failedCalls: number;
  lastError: string;
}

export class Availability {
  private readonly outages = new Map<string, Outage>();
  /** Outages that have started since creation. */
  outageCount = 0;

  constructor(
    private readonly logger: Logger,
    /** The address behind an owner id, for the log lines (Topology.addressOf). */
    private readonly addressOf: (id: string) => string | undefined = () => undefined,
  ) {}

  failure(id: string, err: unknown): void {
    const outage = this.outages.get(id);
    const message = err instanceof Error ? err.message : String(err);
    if (outage) {
      outage.failedCalls++;
      outage.lastError = message;
      return;
    }
    this.setState(id, 'down', message);
  }

  success(id: string): void {
    if (this.outages.has(id)) this.setState(id, 'up');
  }

  /** Ends outages of owners no longer in the topology (a failed cluster master replaced by its replica). */
  retain(current: readonly string[]): void {
    for (const id of [...this.outages.keys()]) if (!current.includes(id)) this.setState(id, 'gone');
  }

  isDown(id: string): boolean {
    return this.outages.has(id);
  }

  down(): Outage[] {
    return [...this.outages.values()];
  }

  status(): 'ok' | 'degraded' {
    return this.outages.size ? 'degraded' : 'ok';
  }

  private setState(id: string, state: 'up' | 'down' | 'gone', error?: string): void {
    if (state === 'down') {
      this.outages.set(id, { id, since: Date.now(), failedCalls: 1, lastError: error ?? '' });
      this.outageCount++;
      const address = this.addressOf(id);
      this.logger.warn(
        { redis: id, ...(address ? { address } : {}), err: explainRedisError(error ?? '') },
        'redis unreachable: failing open (loaders are called directly, nothing is cached) until it returns',
      );
      return;
    }
    const outage = this.outages.get(id)!;
    this.outages.delete(id);
    const address = this.addressOf(id);
    this.logger.info(
      {
        redis: id,
        ...(address ? { address } : {}),
        downMs: Date.now() - outage.since,
        failedCalls: outage.failedCalls,
      },
      state === 'up'
        ? 'redis reachable again: caching resumed'
        : 'redis reachable again: the unreachable server left the topology (failover), caching resumed',
    );
  }
}

/**
 * ioredis's words for a command refused while the connection is down say nothing of why;
 * the cause (refused, reset, a timeout) is in the connection's own error, logged by ioredis'
 * retry. This says what it means.
 */
export function explainRedisError(message: string): string {
  return /Stream isn't writeable/.test(message)
    ? 'not connected (the connection is down or was never made; ioredis queues no commands meanwhile)'
    : message;
}
