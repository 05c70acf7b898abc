#!/usr/bin/env bash
# zen-asyncio's tests use python3 (stdlib only) as the real peer: the book's client.py.
# The benchmark also uses python3 (the reference asyncio server), python3-uvloop (the same
# server on uvloop) and flock (util-linux); test/inetd.test.ts runs openbsd-inetd.
set -euo pipefail
missing=()
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v flock >/dev/null 2>&1 || missing+=(util-linux)
[[ -x /usr/sbin/inetd ]] || missing+=(openbsd-inetd)
/usr/bin/python3 -c 'import uvloop' >/dev/null 2>&1 || missing+=(python3-uvloop)
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
