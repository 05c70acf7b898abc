import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../src/bank/passwords.ts';
import { safeNext, sameToken } from '../src/bank/session.ts';
import { checkPayment } from '../src/bank/validate.ts';
import { parseForm } from '../src/echo/form.ts';
import { echoHeaders, parseArgs } from '../src/echo/request-info.ts';

describe('small pieces', () => {
  it('hashes passwords with a fresh salt and verifies only the right one', async () => {
    const a = await hashPassword('atigdng');
    const b = await hashPassword('atigdng');
    expect(a).not.toBe(b);
    expect(await verifyPassword('atigdng', a)).toBe(true);
    expect(await verifyPassword('atigdnh', a)).toBe(false);
    expect(await verifyPassword('atigdng', undefined)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });

  it('parses forms strictly: + is a space, a broken escape is an error, repeats become lists', () => {
    expect({ ...parseForm('a=1&b=two+words&c=%3Cp%3E&a=2') }).toEqual({
      a: ['1', '2'],
      b: 'two words',
      c: '<p>',
    });
    expect(() => parseForm('a=%zz')).toThrow(/malformed form body/);
    const tricky = parseForm('__proto__=x&constructor=y');
    expect(Object.keys(tricky)).toEqual(['__proto__', 'constructor']); // plain data, no prototype games
    expect(Object.getPrototypeOf(tricky)).toBe(null);
  });

  it('keeps only paths inside the bank as a place to go after login', () => {
    expect(safeNext('/bank/pay?x=1')).toBe('/bank/pay?x=1');
    for (const bad of [
      'https://evil.example/bank/',
      '//evil.example/bank/',
      '/bank/../admin',
      '/\\evil',
      'bank/',
      '/bank/\t',
      undefined,
      5,
    ]) {
      expect(safeNext(bad)).toBeUndefined();
    }
  });

  it('compares tokens by value and refuses empty ones', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abd')).toBe(false);
    expect(sameToken('abc', 'abcd')).toBe(false);
    expect(sameToken('', '')).toBe(false);
    expect(sameToken(undefined, 'x')).toBe(false);
  });

  it('accepts whole dollars from 1 to a million, with all three fields', () => {
    expect(checkPayment({ account: 'sam', dollars: '25', memo: 'lunch' })).toEqual({ ok: true, dollars: 25 });
    for (const dollars of ['-1', '0', '1e3', '2.50', '1000001', ' 5', 'NaN']) {
      expect(checkPayment({ account: 'sam', dollars, memo: 'x' }).ok).toBe(false);
    }
    expect(checkPayment({ account: 'sam\u0000', dollars: '1', memo: 'x' }).ok).toBe(false);
    expect(checkPayment({ account: 'sam', dollars: '1', memo: 'x'.repeat(201) }).ok).toBe(false);
  });

  it("echoes headers in werkzeug's spelling, repeated ones joined with a comma, and repeated args as lists", () => {
    expect(echoHeaders(['Accept', 'a', 'x-y', '1', 'accept', 'b', 'x-b3-traceid', 't'])).toEqual({
      Accept: 'a,b',
      'X-Y': '1',
      'X-B3-Traceid': 't',
    });
    expect(echoHeaders(['X', '1', 'X', '2'])).toEqual({ X: '1,2' });
    expect(parseArgs('/get?a=1&a=2&b=')).toEqual({ a: ['1', '2'], b: '' });
  });
});
