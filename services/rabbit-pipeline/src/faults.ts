/**
 * Knobs that make a role slow or faulty on purpose (LATENCY_MS, FAIL_RATE), so that
 * back-pressure (queues filling, prefetch windows full of unacked deliveries) and
 * dead-lettering (retries, then the dead-letter queue) can be watched on a live pipeline.
 * Applied by the consumer before the handler: a failure here is retried and dead-lettered
 * exactly as a real handler failure is.
 */

export interface Faults {
  /** Added to the handling of every delivery. @default 0 */
  latencyMs?: number;
  /** Probability (0..1) that handling a delivery fails. @default 0 */
  failRate?: number;
  /** The source of randomness (tests give a fixed sequence). @default Math.random */
  random?: () => number;
}

/** Thrown for a delivery picked to fail: says which knob did it, so nobody hunts a bug. */
export class InjectedFailureError extends Error {
  constructor(failRate: number) {
    super(`injected failure (FAIL_RATE=${failRate}): set FAIL_RATE=0 to stop failing on purpose`);
    this.name = 'InjectedFailureError';
  }
}

/** True when the knobs would change anything. */
export function hasFaults(f: Faults | undefined): f is Faults {
  return !!f && ((f.latencyMs ?? 0) > 0 || (f.failRate ?? 0) > 0);
}

/** Waits the latency, then fails with the configured probability. */
export async function applyFaults(f: Faults): Promise<void> {
  if (f.latencyMs && f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
  const rate = f.failRate ?? 0;
  if (rate > 0 && (f.random ?? Math.random)() < rate) throw new InjectedFailureError(rate);
}
