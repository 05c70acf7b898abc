import { describe, expect, it } from 'vitest';
import { calcsize, pack, unpack } from '../src/binary.js';

describe('struct-style packing (book ch. 5)', () => {
  it("packs 4253 as '<i' into 9d 10 00 00, as the book shows", () => {
    expect(pack('<i', 4253).toString('hex')).toBe('9d100000');
  });

  it("packs 4253 as '>i' (network order) into 00 00 10 9d", () => {
    expect(pack('>i', 4253).toString('hex')).toBe('0000109d');
    expect(pack('!i', 4253).toString('hex')).toBe('0000109d');
  });

  it('unpacks what it packs, 64-bit values as bigint', () => {
    const buf = pack('!BHIQd5s?', 7, 65535, 4253, 2n ** 63n + 5n, 3.5, Buffer.from('hello'), true);
    expect(buf.length).toBe(calcsize('!BHIQd5s?'));
    expect(unpack('!BHIQd5s?', buf)).toEqual([
      7,
      65535,
      4253,
      2n ** 63n + 5n,
      3.5,
      Buffer.from('hello'),
      true,
    ]);
  });

  it('refuses values out of range with the range in the message', () => {
    expect(() => pack('>B', 256)).toThrow(/0 <= number <= 255/);
    expect(() => pack('>h', -40000)).toThrow(RangeError);
  });

  it('refuses a short buffer and an unknown format character', () => {
    expect(() => unpack('>I', Buffer.from([1, 2]))).toThrow(/requires a buffer of 4 bytes, got 2/);
    expect(() => pack('>z', 1)).toThrow(/bad format character/);
  });

  it('counts values: too many or too few is an error', () => {
    expect(() => pack('>ii', 1)).toThrow(/expected more values/);
    expect(() => pack('>i', 1, 2)).toThrow(/expected 1 values/);
  });
});
