import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pyAddress, pyRepr } from '../src/pyformat.js';

const samples = [
  Buffer.from('Hi there, server'),
  Buffer.from("it's"),
  Buffer.from('say "hi"'),
  Buffer.from(`both ' and "`),
  Buffer.from([0x00, 0x09, 0x0a, 0x0d, 0x5c, 0x7f, 0x80, 0xff, 0x41]),
  Buffer.from('caf\u00e9'),
];

describe('pyRepr', () => {
  it('prints bytes exactly as Python 3 repr() does', () => {
    const script = 'import sys\nfor line in sys.stdin:\n    print(repr(bytes.fromhex(line.strip())))';
    const python = execFileSync('python3', ['-c', script], {
      input: samples.map((s) => s.toString('hex')).join('\n'),
    })
      .toString()
      .trim()
      .split('\n');
    expect(samples.map((s) => pyRepr(s))).toEqual(python);
  });

  it('prints ASCII text without the b prefix, as repr() of a str', () => {
    expect(pyRepr(Buffer.from('Broadcast datagram!'), { asBytes: false })).toBe("'Broadcast datagram!'");
  });
});

describe('pyAddress', () => {
  it('prints IPv4 pairs and IPv6 four-tuples as getsockname() does', () => {
    expect(pyAddress('127.0.0.1', 1060)).toBe("('127.0.0.1', 1060)");
    expect(pyAddress('::1', 1060)).toBe("('::1', 1060, 0, 0)");
  });
});
