#!/usr/bin/env python3
"""Jump consistent hash exactly as printed in Lamping & Veach (2014), for cross-checking.

Reads "key buckets" lines on stdin, prints one bucket per line.
"""
import sys


def jump_consistent_hash(key, num_buckets):
    b, j = -1, 0
    while j < num_buckets:
        b = j
        key = (key * 2862933555777941757 + 1) & 0xFFFFFFFFFFFFFFFF
        j = int((b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return b


for line in sys.stdin:
    k, n = line.split()
    print(jump_consistent_hash(int(k), int(n)))
