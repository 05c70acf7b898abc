#!/usr/bin/env bash
# Installs what the compose end-to-end test and the deploy checks need, only if missing:
# podman (rootful) with runc, docker-compose 1.29 (Debian, without docker.io), debootstrap
# for the local base images, python3 and curl for the smoke tour. Idempotent.
set -euo pipefail
missing=()
for pair in podman:podman runc:runc docker-compose:docker-compose debootstrap:debootstrap python3:python3 curl:curl; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
if ((${#missing[@]})); then
  echo "deploy/prereqs.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
