#!/usr/bin/env bash
# tls-inspector's tests use real peers: the openssl CLI (s_server, and to make the test
# certificates) and python3 with its stdlib ssl module. Both are usually present; install
# them only if missing. Idempotent.
set -euo pipefail
missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi
python3 -c 'import ssl' # the stdlib ssl module must be built in
