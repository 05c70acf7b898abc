import { describe, expect, it } from 'vitest';
import { BusyError, RateLimitedError } from '../src/errors.js';
import { ConcurrencyLimit, RateLimit } from '../src/limits.js';

describe('RateLimit', () => {
  it('allows a burst of perMinute, then refuses with the wait, then refills with time', () => {
    let now = 1_000_000;
    const limit = new RateLimit(3, () => now);
    for (let i = 0; i < 3; i++) limit.take('a');
    let err: unknown;
    try {
      limit.take('a');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBe(20); // one token per 20 s at 3/min
    limit.take('b'); // other clients have their own bucket
    now += 20_000;
    limit.take('a');
    expect(() => limit.take('a')).toThrow(RateLimitedError);
  });
});

describe('ConcurrencyLimit', () => {
  it('refuses work beyond the limit at once, and frees the slot when work ends, even by failing', async () => {
    const limit = new ConcurrencyLimit(1);
    let release!: () => void;
    const first = limit.run(() => new Promise<void>((r) => (release = r)));
    expect(limit.inFlight).toBe(1);
    await expect(limit.run(async () => 1)).rejects.toBeInstanceOf(BusyError);
    release();
    await first;
    await expect(limit.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limit.inFlight).toBe(0);
    await expect(limit.run(async () => 2)).resolves.toBe(2);
  });
});
