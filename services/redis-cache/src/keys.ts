/** Cache keys: validated user keys, stored under a namespace so tenants and test runs never collide. */
import { InvalidKeyError } from './errors.js';
import { MAX_KEY_LENGTH } from './protocol.js';

export { MAX_KEY_LENGTH };

export function validateKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError('the key is empty');
  if (Buffer.byteLength(key) > MAX_KEY_LENGTH)
    throw new InvalidKeyError(`the key is ${Buffer.byteLength(key)} bytes; the limit is ${MAX_KEY_LENGTH}`);
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new InvalidKeyError('the key contains control characters');
}

export function validateNamespace(namespace: string): void {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(namespace))
    throw new InvalidKeyError(`namespace ${JSON.stringify(namespace)} must be 1-64 of A-Z a-z 0-9 . _ -`);
}

export class KeySpace {
  constructor(readonly namespace: string) {
    validateNamespace(namespace);
  }
  /** The Redis key holding a user key's value. */
  data(key: string): string {
    return `${this.namespace}:${key}`;
  }
  /** The Redis key of the cross-process loader lock for a user key. */
  lock(key: string): string {
    // '#' cannot occur in a namespace, so no user key's data key can equal a lock key.
    return `${this.namespace}#lock:${key}`;
  }
  /** SCAN pattern matching the namespace's values (the namespace has no glob specials). */
  pattern(): string {
    return `${this.namespace}:*`;
  }
  /** SCAN pattern matching the namespace's loader locks. */
  lockPattern(): string {
    return `${this.namespace}#lock:*`;
  }
}
