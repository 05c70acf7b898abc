import { randomBytes } from 'node:crypto';

/** A namespace unique to this test run, so tests on the shared 127.0.0.1:6379 touch only their keys. */
export function testNamespace(label: string): string {
  return `fopnp-test-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
