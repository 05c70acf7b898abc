/**
 * The Python emulation under the book's functions, checked against CPython itself: float
 * repr, float hash and the order of list(set([a, b])) (what quadratic returns), for
 * thousands of values, so the differential test's agreement is not luck of its inputs.
 */
import path from 'node:path';
import { run } from '@fopnp/net/testing';
import { describe, expect, it } from 'vitest';
import { pyFloatHash, pyFloatRepr, pyFloatSetOrder, pyRepr } from '../src/xmlrpc/python.js';
import { PEERS } from './helpers.js';

/** A deterministic spread of doubles: integers, fractions, tiny, huge, negative, special. */
function sampleFloats(n: number): number[] {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const out = [
    0,
    -0,
    1,
    -1,
    0.1,
    0.5,
    2.5,
    1e16,
    1e15,
    1e-4,
    1e-5,
    123456789.125,
    5e-324,
    1.7976931348623157e308,
    Infinity,
    -Infinity,
  ];
  while (out.length < n) {
    const kind = out.length % 5;
    const sign = rand() < 0.5 ? -1 : 1;
    if (kind === 0) out.push(sign * Math.floor(rand() * 1e6));
    else if (kind === 1) out.push(sign * rand() * 10 ** Math.floor(rand() * 40 - 20));
    else if (kind === 2) out.push((sign * Math.floor(rand() * 100)) / 8);
    else if (kind === 3) out.push(sign * rand() * 10 ** Math.floor(rand() * 600 - 300));
    else out.push(sign * Math.sqrt(Math.floor(rand() * 1000)));
  }
  return out;
}

/** float.hex()-style text Python can read exactly. */
function hexOf(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? '-' : '';
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = (bits & ((1n << 52n) - 1n)).toString(16).padStart(13, '0');
  if (exp === 0) return `${sign}0x0.${frac}p-1022`;
  return `${sign}0x1.${frac}p${exp - 1023}`;
}

describe('Python semantics against CPython', () => {
  it('repr, hash and set order of 4000 floats match CPython exactly', async () => {
    const values = sampleFloats(4000);
    const r = await run('python3', [path.join(PEERS, 'float_facts.py')], {
      input: values.map(hexOf).join('\n'),
      timeoutMs: 20_000,
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    const ours = [
      ...values.map((x) => `${pyFloatRepr(x)} ${pyFloatHash(x)}`),
      ...Array.from({ length: values.length / 2 }, (_, i) =>
        pyRepr(pyFloatSetOrder([values[2 * i]!, values[2 * i + 1]!])),
      ),
    ];
    expect(ours).toEqual(lines);
  });
});
