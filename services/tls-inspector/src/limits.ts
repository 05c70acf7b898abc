/**
 * The service's two brakes: a cap on inspections in flight (each holds sockets and may
 * wait out a timeout), and a per-client token bucket so one client cannot use the
 * service to hammer a target or starve the others.
 */
import { BusyError, RateLimitedError } from './errors.js';

export class ConcurrencyLimit {
  private active = 0;

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  /** Runs `work` if a slot is free, else throws BusyError at once (no queue to pile up). */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) throw new BusyError(this.limit);
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
    }
  }
}

interface Bucket {
  tokens: number;
  updated: number;
}

/** A token bucket per client: `perMinute` tokens refill per minute, up to `perMinute`. */
export class RateLimit {
  private readonly buckets = new Map<string, Bucket>();
  /** Beyond this many clients, idle full buckets are forgotten. */
  private static readonly MAX_CLIENTS = 10_000;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `client` or throws RateLimitedError with the wait in seconds. */
  take(client: string): void {
    const t = this.now();
    const rate = this.perMinute / 60_000;
    const bucket = this.buckets.get(client) ?? { tokens: this.perMinute, updated: t };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (t - bucket.updated) * rate);
    bucket.updated = t;
    if (bucket.tokens < 1) {
      this.buckets.set(client, bucket);
      throw new RateLimitedError(client, Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000)));
    }
    bucket.tokens -= 1;
    this.buckets.set(client, bucket);
    if (this.buckets.size > RateLimit.MAX_CLIENTS) this.prune(t, rate);
  }

  private prune(t: number, rate: number): void {
    for (const [client, b] of this.buckets) {
      if (b.tokens + (t - b.updated) * rate >= this.perMinute) this.buckets.delete(client);
    }
  }
}
