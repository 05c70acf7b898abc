#!/usr/bin/env bash
# The README's first command on a fresh machine, for real: a container from the local Debian
# base image (deploy/base-images.sh builds debian:bookworm-slim with debootstrap), given only
# what the README assumes — root, and Node.js with npm of some version (Debian's own `nodejs`
# and `npm` packages) — and a copy of this checkout's files (git's list: no node_modules, no
# dist, no .stack). In it: `bash scripts/setup.sh && pnpm stack up`; the run passes when the
# stack's table says every service is ready and `pnpm stack smoke` then reports 0 failed.
#
# Heavy (Debian packages, Node 24 and every dependency from the registries, a full build on
# the container's share of the CPU): about 10–20 minutes here, so it is run by hand, not in
# scripts/test-all.sh. Needs podman (deploy/prereqs.sh) and network access from containers.
#   bash deploy/fresh-machine.sh            # exit 0 when the stack came up and the smoke passed
#   KEEP=1 bash deploy/fresh-machine.sh     # leave the container (fopnp-fresh) for a look
#   FRESH_CA=/path/to/ca.pem                # CA bundle the container trusts besides its own
#
# Where the registries are reached through a TLS-inspecting proxy (as on the machines this
# project is built on: npm's cafile names the host's bundle), a fresh machine on that network
# needs that proxy's CA too: FRESH_CA (default: the host's /etc/ssl/certs/ca-certificates.crt,
# when it exists) is mounted and named in NODE_EXTRA_CA_CERTS and npm_config_cafile. Nothing
# else of the host goes in.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root="$(cd "$DEPLOY_DIR/.." && pwd)"
image=docker.io/library/debian:bookworm-slim
name=fopnp-fresh
podman image exists "$image" || bash "$DEPLOY_DIR/base-images.sh"

work="$(mktemp -d /tmp/fopnp-fresh.XXXXXX)"
cleanup() {
  [[ "${KEEP:-}" == 1 ]] || podman rm -f "$name" >/dev/null 2>&1 || true
ca="${FRESH_CA-/etc/ssl/certs/ca-certificates.crt}"
ca_args=()
if [[ -n "$ca" && -f "$ca" ]]; then
  ca_args=(-v "$ca:/etc/fresh-extra-ca.pem:ro" -e NODE_EXTRA_CA_CERTS=/etc/fresh-extra-ca.pem
    -e npm_config_cafile=/etc/fresh-extra-ca.pem)
fi
  rm -rf "$work"
}
trap cleanup EXIT
# The files a clone would have, as they are in this working tree (uncommitted edits included).
git -C "$root" ls-files -z --cached --others --exclude-standard |
  tar -C "$root" --null -T - -cf "$work/src.tar"
podman rm -f "$name" >/dev/null 2>&1 || true
ca="${FRESH_CA-/etc/ssl/certs/ca-certificates.crt}"
ca_args=()
if [[ -n "$ca" && -f "$ca" ]]; then
  ca_args=(-v "$ca:/etc/fresh-extra-ca.pem:ro" -e NODE_EXTRA_CA_CERTS=/etc/fresh-extra-ca.pem
    -e npm_config_cafile=/etc/fresh-extra-ca.pem)
fi

log "fresh container $name from $image: apt nodejs npm, then the README's command"
started=$SECONDS
# shellcheck disable=SC2016 # expanded in the container
podman run --name "$name" -v "$work/src.tar:/src.tar:ro" "${ca_args[@]}" -e CI=true "$image" bash -c '
set -euo pipefail
step() { echo "fresh: $* ($SECONDS s)"; }
step "what the README assumes: root, Node.js with npm (Debian packages)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
node --version
mkdir /repo && tar -xf /src.tar -C /repo && cd /repo
step "bash scripts/setup.sh"
bash scripts/setup.sh
step "pnpm stack up"
pnpm stack up >/tmp/up.log 2>&1 &
for _ in $(seq 1 600); do
  grep -qE "stack: (all [0-9]+ services ready|not ready)|^error:" /tmp/up.log && break
  if ! kill -0 $! 2>/dev/null; then break; fi
  sleep 1
done
grep -vE "^[a-z-]+ +\| " /tmp/up.log
grep -qE "stack: all [0-9]+ services ready" /tmp/up.log || { echo "fresh: the stack did not come up"; tail -50 /tmp/up.log; exit 1; }
step "pnpm stack smoke"
pnpm stack smoke | tee /tmp/smoke.log | grep -vE "^PASS"
pnpm stack down
grep -qE "^smoke: [0-9]+ passed, 0 failed" /tmp/smoke.log
step "done"
'
log "fresh machine: the README's command brought the stack up and the smoke passed ($((SECONDS - started)) s)"
