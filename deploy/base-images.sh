#!/usr/bin/env bash
# Builds the base images the Dockerfiles and docker-compose.yml name, when no registry can be
# reached: debian:bookworm-slim (debootstrap), node:24-slim (that + the host's Node 24, which
# scripts/setup.sh provides),
# redis:7, rabbitmq:3-management and postgres:15 (that + Debian's packages). Each is tagged with the
# official name so the Dockerfiles build unchanged; a tag that already exists is kept
# (--force rebuilds). On a machine with Docker Hub, skip this script entirely.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_TAG=docker.io/library/debian:bookworm-slim
NODE_TAG=docker.io/library/node:24-slim
REDIS_TAG=docker.io/library/redis:7
RABBIT_TAG=docker.io/library/rabbitmq:3-management
POSTGRES_TAG=docker.io/library/postgres:15

need() { [[ $FORCE == 1 ]] || ! podman image exists "$1"; }

work="$(mktemp -d /tmp/fopnp-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT

if need "$DEBIAN_TAG"; then
  log "building $DEBIAN_TAG with debootstrap (minbase, $MIRROR)"
  command -v debootstrap >/dev/null || die "debootstrap missing: apt-get install -y debootstrap"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; die "debootstrap failed"; }
  # What a slim image leaves out: caches, docs, man pages.
  rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/* \
    "$work/rootfs"/usr/share/doc/* "$work/rootfs"/usr/share/man/* "$work/rootfs"/usr/share/info/*
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$MIRROR" "$MIRROR" \
    >"$work/rootfs/etc/apt/sources.list"
  tar -C "$work/rootfs" -c . | podman import \
    --change 'CMD ["bash"]' --change 'LABEL org.fopnp.local-standin=debian:bookworm-slim' \
    - "$DEBIAN_TAG" >/dev/null 2>&1
  rm -rf "$work/rootfs"
  log "tagged $DEBIAN_TAG"
else
  log "$DEBIAN_TAG exists, kept"
fi

if need "$NODE_TAG"; then
  log "building $NODE_TAG from $DEBIAN_TAG + host $(node --version)"
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [[ "$major" == 24 ]] || die "host Node is $major, the image must be Node 24: run scripts/setup.sh first"
  # The Node on PATH may be a link (setup.sh links /usr/local/bin/node to /opt/fopnp-node24);
  # its headers sit beside it, npm and corepack wherever the machine's npm is installed.
  node_bin="$(readlink -f "$(command -v node)")"
  node_home="$(dirname "$(dirname "$node_bin")")"
  npm_home="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  mkdir -p "$work/node/node_modules" "$work/node/include"
  cp "$node_bin" "$work/node/node"
  cp -a "$npm_home" "$work/node/node_modules/npm"
  if [[ -d "$(dirname "$npm_home")/corepack" ]]; then
    cp -a "$(dirname "$npm_home")/corepack" "$work/node/node_modules/"
  fi
  cp /etc/ssl/certs/ca-certificates.crt "$work/node/"
  for inc in "$node_home/include/node" /usr/include/node; do
    if [[ -f "$inc/node.h" ]]; then
      cp -a "$inc" "$work/node/include/"
      break
    fi
  done
  podman build -q -t "$NODE_TAG" -f "$DEPLOY_DIR/base/node.Containerfile" "$work/node" >/dev/null
  log "tagged $NODE_TAG"
else
  log "$NODE_TAG exists, kept"
fi

# Debian packages come from the mirror during the build, hence the host network.
for pair in "$REDIS_TAG:redis" "$RABBIT_TAG:rabbitmq" "$POSTGRES_TAG:postgres"; do
  tag="${pair%:*}" file="${pair##*:}"
  if need "$tag"; then
    log "building $tag from $DEBIAN_TAG + Debian packages"
    podman build -q --network host -t "$tag" -f "$DEPLOY_DIR/base/$file.Containerfile" "$DEPLOY_DIR/base" >/dev/null
    log "tagged $tag"
  else
    log "$tag exists, kept"
  fi
done
