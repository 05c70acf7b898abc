#!/usr/bin/env bash
# Installs what the compose end-to-end test and the deploy checks need, only if missing:
# podman (rootful) with runc, docker-compose 1.29 (Debian, without docker.io), debootstrap
# for the local base images, python3 and curl for the smoke tour. Idempotent.
set -euo pipefail
install() { # args: apt options, then packages
  echo "deploy/prereqs.sh: installing ${*}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
missing=()
for pair in podman:podman runc:runc debootstrap:debootstrap python3:python3 curl:curl; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
# podman with its recommends (netavark, aardvark-dns, catatonit...), as measured working here.
((${#missing[@]} == 0)) || install "${missing[@]}"
# docker-compose without them: its recommends pull in docker.io and containerd.
command -v docker-compose >/dev/null 2>&1 || install --no-install-recommends docker-compose
