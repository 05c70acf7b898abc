#!/usr/bin/env bash
# Installs what the compose end-to-end test and the deploy checks need, only if missing:
# podman (rootful) with runc, docker-compose 1.29 (Debian, without docker.io), debootstrap
# for the local base images, python3 and curl for the smoke tour. Idempotent.
set -euo pipefail
# Waits for another apt/dpkg (unattended upgrades, a parallel job) to let go of the lock
# instead of failing at once: apt_get in scripts/backing.sh (DPkg::Lock::Timeout, 600 s).
# shellcheck source=scripts/backing.sh
. "$(dirname "$0")/../scripts/backing.sh"
install() { # args: apt options, then packages
  echo "deploy/prereqs.sh: installing ${*}"
  apt_get update -qq
  apt_get install -y -qq "$@" >/dev/null
}
missing=()
for pair in podman:podman runc:runc debootstrap:debootstrap python3:python3 curl:curl; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
# podman with its recommends (netavark, aardvark-dns, catatonit...), as measured working here.
((${#missing[@]} == 0)) || install "${missing[@]}"
# docker-compose without them: its recommends pull in docker.io and containerd.
command -v docker-compose >/dev/null 2>&1 || install --no-install-recommends docker-compose
