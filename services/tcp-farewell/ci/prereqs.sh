#!/usr/bin/env bash
# What this service's tests need beyond Node: python3, to run the book's tcp_sixteen.py
# and tcp_deadlock.py and the other standard-library peers. Idempotent.
set -euo pipefail
if ! command -v python3 >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3
fi
