#!/usr/bin/env bash
# What this service's tests need beyond Node: python3 (the book's scripts and other
# standard-library peers) and iproute2 (`ip`; udp-broadcaster builds a LAN of network
# namespaces with it). Idempotent: installs only what is missing.
set -euo pipefail
missing=()
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
