#!/usr/bin/env bash
# Installs what the compose end-to-end test and the deploy checks need, only if missing:
# podman (rootful) with runc, docker-compose 1.29 (Debian, without docker.io), debootstrap
# for the local base images, kubectl for `kubectl kustomize`. Idempotent.
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
if ! command -v kubectl >/dev/null 2>&1; then
  # Debian bookworm has no kubectl package; the npm registry is reachable, so take kubectl's
  # kustomize from nowhere else: fail with the instruction instead of guessing a download.
  echo "deploy/prereqs.sh: kubectl is missing (needed for kubectl kustomize); install it" >&2
  exit 1
fi
