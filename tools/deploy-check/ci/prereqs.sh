#!/usr/bin/env bash
# What the tests of @fopnp/deploy-check need: docker-compose (for `config -q`, no engine
# needed) and kubectl (for `kubectl kustomize`, offline). Idempotent.
set -euo pipefail
if ! command -v docker-compose >/dev/null 2>&1; then
  apt-get update -qq
  # --no-install-recommends: without it Debian pulls in docker.io and containerd.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi
command -v kubectl >/dev/null 2>&1 || {
  echo "tools/deploy-check/ci/prereqs.sh: kubectl is missing (machines of this kind ship it; Debian bookworm has no package)" >&2
  exit 1
}
