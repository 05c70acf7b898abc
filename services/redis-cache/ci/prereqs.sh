#!/usr/bin/env bash
# redis-cache tests start their own redis-server processes (shards, a 6-node cluster), use
# redis-cli and redis-benchmark as real peers, and shard the words of Debian's wamerican.
# 127.0.0.1:6379 itself is started by the machine / root CI.
set -euo pipefail
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-cli >/dev/null && command -v redis-benchmark >/dev/null || missing+=(redis-tools)
[ -e /usr/share/dict/words ] || missing+=(wamerican)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi
