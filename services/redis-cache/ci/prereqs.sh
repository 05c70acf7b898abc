#!/usr/bin/env bash
# redis-cache tests start their own redis-server processes (shards, a 6-node cluster, a Sentinel
# group: master + 2 replicas + 3 redis-sentinel), a twemproxy (Debian's nutcracker) in front of four
# servers, use redis-cli and redis-benchmark as real peers, and shard the words of Debian's wamerican.
# 127.0.0.1:6379 itself is started by the machine / root CI. Idempotent: installs only what is missing.
set -euo pipefail
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-cli >/dev/null && command -v redis-benchmark >/dev/null || missing+=(redis-tools)
command -v redis-sentinel >/dev/null || missing+=(redis-sentinel)
command -v nutcracker >/dev/null || missing+=(nutcracker)
[ -e /usr/share/dict/words ] || missing+=(wamerican)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -q
  apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing[@]}"
fi
