#!/usr/bin/env python3
# Reads floats (one repr per line, as float.hex() text) on stdin and prints, for each:
# repr(x), hash(x); and for each consecutive pair, list(set([a, b])). The python-semantics
# test compares these with our TypeScript emulation.
import sys

values = [float.fromhex(line.strip()) for line in sys.stdin if line.strip()]
for x in values:
    print('%s %d' % (repr(x), hash(x)))
for a, b in zip(values[::2], values[1::2]):
    print(repr(list(set([a, b]))))
