#!/usr/bin/env bash
# zen-asyncio's tests use python3 (stdlib only) as the real peer: the book's client.py.
# The benchmark also uses python3 (the reference asyncio server) and flock (util-linux).
set -euo pipefail
missing=()
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v flock >/dev/null 2>&1 || missing+=(util-linux)
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
