import { describe, expect, it } from 'vitest';
import { ABSENT_ENTRY, decodeValue, encodeValue } from '../src/codec.js';
import * as errors from '../src/errors.js';
import { KeySpace, validateKey } from '../src/keys.js';

describe('coded errors', () => {
  it('gives every error class a code from the table with its HTTP status', () => {
    const samples: errors.CacheError[] = [
      new errors.InvalidKeyError('x'),
      new errors.InvalidValueError('x'),
      new errors.InvalidTtlError('x'),
      new errors.NotFoundError('k'),
      new errors.NoRouteError('GET', '/x'),
      new errors.ValueTooLargeError(2, 1),
      new errors.BodyTooLargeError(1),
      new errors.UnsupportedMediaTypeError('text/plain'),
      new errors.CacheUnavailableError('x'),
      new errors.StoredValueTooLargeError('k', 3, 2),
    ];
    // Every entry of the table has a class (BodyTooLargeError shares VALUE_TOO_LARGE).
    const codes = new Set(samples.map((e) => e.code));
    expect([...codes].sort()).toEqual(Object.values(errors.CACHE_ERRORS.codes).sort());
    for (const e of samples) {
      expect(e.code).toMatch(/^FOPNP_REDIS_CACHE_ERR_[A-Z_]+$/);
      const name = e.code.slice(errors.CACHE_ERRORS.prefix.length) as keyof typeof errors.CACHE_ERRORS.specs;
      expect(e.statusCode).toBe(errors.CACHE_ERRORS.specs[name].statusCode);
      expect(e.name).toBe(e.constructor.name);
    }
  });

  it('tells the user what to change when a value is too large', () => {
    expect(new errors.ValueTooLargeError(2000, 1000).message).toMatch(/--max-value-bytes/);
    expect(new errors.StoredValueTooLargeError('k', 2000, 1000).message).toMatch(
      /^key "k" holds 2000 bytes in Redis, over the limit of 1000 bytes: not read .*--max-value-bytes/,
    );
    expect(new errors.StoredValueTooLargeError('k', undefined, 1000).message).toContain(
      'more than 1000 bytes',
    );
  });
});

describe('the stored format', () => {
  it('tags JSON, MessagePack and absent entries so any reader decodes them', () => {
    const value = { a: [1, 'two', null], b: { c: true } };
    expect(decodeValue(encodeValue(value, 'json'))).toEqual({ found: true, value });
    expect(decodeValue(encodeValue(value, 'msgpack'))).toEqual({ found: true, value });
    expect(decodeValue(encodeValue(null, 'json'))).toEqual({ found: true, value: null });
    expect(decodeValue(ABSENT_ENTRY)).toEqual({ found: false });
    expect(encodeValue('hi', 'json').toString()).toBe('j"hi"');
  });

  it('is smaller in MessagePack for number-heavy values', () => {
    const numbers = Array.from({ length: 100 }, (_, i) => i * 1000);
    expect(encodeValue(numbers, 'msgpack').length).toBeLessThan(encodeValue(numbers, 'json').length);
  });

  it('refuses undefined, functions and entries it did not write', () => {
    expect(() => encodeValue(undefined, 'json')).toThrow(errors.InvalidValueError);
    expect(() => encodeValue(() => 1, 'json')).toThrow(/JSON cannot encode a function/);
    expect(() => encodeValue(10n, 'json')).toThrow(errors.InvalidValueError);
    expect(() => decodeValue(Buffer.from('plain text'))).toThrow(/not a cache tag/);
  });
});

describe('keys', () => {
  it('namespaces values and locks so that no user key can collide with a lock', () => {
    const ks = new KeySpace('app');
    expect(ks.data('lock:x')).toBe('app:lock:x');
    expect(ks.lock('x')).toBe('app#lock:x');
    expect(() => new KeySpace('bad ns*')).toThrow(errors.InvalidKeyError);
  });

  it('accepts any printable key up to 512 bytes, counting UTF-8 bytes', () => {
    expect(() => validateKey('ü'.repeat(256))).not.toThrow();
    expect(() => validateKey('ü'.repeat(257))).toThrow(/514 bytes/);
    expect(() => validateKey('')).toThrow(/empty/);
    expect(() => validateKey('tab\there')).toThrow(/control/);
  });
});
