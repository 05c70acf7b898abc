#!/usr/bin/env bash
# Runs the zen-asyncio load benchmark: raises the open-file limit (ten thousand idle
# connections need ten thousand descriptors in the server and as many in the load
# generator), reports it, and takes the machine-wide benchmark lock so benchmarks on
# this shared machine never overlap. Arguments go to bench/zen.ts (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f dist/bench/zen.js ]]; then
  echo "error: dist/bench/zen.js is missing: build first (npx turbo run build --filter=@fopnp/zen-asyncio...)" >&2
  exit 1
fi
want=${ZEN_BENCH_NOFILE:-65536}
hard=$(ulimit -Hn)
if [[ "$hard" != unlimited && "$hard" -lt "$want" ]]; then
  # raising the hard limit needs root; otherwise settle for the hard limit we have
  ulimit -Hn "$want" 2>/dev/null || want=$hard
fi
ulimit -Sn "$want"
echo "file-descriptor limit (ulimit -n): $(ulimit -n) (hard $(ulimit -Hn))"
export ZEN_BENCH_NOFILE
ZEN_BENCH_NOFILE=$(ulimit -n)
exec flock /tmp/fopnp-bench.lock node dist/bench/zen.js "$@"
