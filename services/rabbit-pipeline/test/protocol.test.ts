/**
 * queuepi.py's arithmetic and wire format, checked against Python running the book's
 * own expressions (bits[::2], int(..., 2), sum of squares < 2**64).
 */
import { run } from '@fopnp/net/testing';
import { expect, it } from 'vitest';
import { MalformedMessageError } from '../src/errors.js';
import {
  coordinates,
  isInside,
  onesAndZeros,
  parseDecision,
  parsePoint,
  parseSumRequest,
  routingKeyOf,
  sumOfSquares,
} from '../src/protocol.js';
import { Tally } from '../src/tally.js';

it('splits, squares and judges points exactly as the book does in Python', async () => {
  const points = Array.from({ length: 200 }, () => onesAndZeros());
  points.push('1'.repeat(64), '0'.repeat(64), `01${'1'.repeat(62)}`);
  const script = [
    'import sys, json',
    'out = []',
    'for bits in sys.stdin.read().split():',
    '    n, m = int(bits[::2], 2), int(bits[1::2], 2)',
    '    s = n * n + m * m',
    "    out.append([str(n), str(m), str(s), 'Y' if s < 2 ** 64 else 'N'])",
    'print(json.dumps(out))',
  ].join('\n');
  const r = await run('python3', ['-c', script], { input: points.join('\n') });
  const expected = JSON.parse(r.stdout) as [string, string, string, string][];
  const ours = points.map((bits) => {
    const [x, y] = coordinates(bits);
    const s = sumOfSquares([x, y]);
    return [String(x), String(y), String(s), isInside(s) ? 'Y' : 'N'];
  });
  expect(ours).toEqual(expected);
});

it('routes a point by its first two bits and makes 64-digit points', () => {
  expect(routingKeyOf(`10${'0'.repeat(62)}`)).toBe('1.0');
  const bits = onesAndZeros();
  expect(bits).toMatch(/^[01]{64}$/);
  expect(parsePoint(Buffer.from(bits), 'q')).toBe(bits);
});

it('refuses malformed points, decisions and requests with MalformedMessageError', () => {
  expect(() => parsePoint(Buffer.from('0101'), 'q')).toThrow(MalformedMessageError);
  expect(() => parsePoint(Buffer.from('2'.repeat(64)), 'q')).toThrow(/expected 64 binary digits/);
  expect(() => parseDecision(Buffer.from('y'), 'q')).toThrow(/expected "Y" or "N", got "y"/);
  expect(() => parseSumRequest(Buffer.from('{'), 'q')).toThrow(/not JSON/);
  expect(() => parseSumRequest(Buffer.from('[1.5]'), 'q')).toThrow(/integers as decimal strings/);
  expect(() => parseSumRequest(Buffer.from(JSON.stringify(Array(17).fill('1'))), 'q')).toThrow(
    MalformedMessageError,
  );
  expect(parseSumRequest(Buffer.from('["3", 4]'), 'q')).toEqual([3n, 4n]);
});

it('tallies p/q like the book and reports the rate over its window', () => {
  let now = 0;
  const t = new Tally(10, () => now);
  expect(t.snapshot().estimate).toBeNull();
  for (let i = 0; i < 100; i++) {
    now += 10;
    t.record(i % 4 === 0 ? 'N' : 'Y');
  }
  const s = t.snapshot();
  expect(s.estimate).toBe(3);
  expect(s.count).toBe(100);
  expect(s.ratePerSecond).toBeCloseTo(100, 0);
});
