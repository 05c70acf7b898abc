#!/usr/bin/env bash
# End-to-end test of docker-compose.yml on this machine: podman (rootful, runc) behind its
# Docker-compatible socket, driven by docker-compose 1.29. Builds every service's image from
# its own Dockerfile, brings the default profile up with deploy/compose.e2e.yml (no
# restarts, so a crash fails the run) and the backing services on other host ports (the
# host's own Redis, RabbitMQ and PostgreSQL hold 6379, 5672, 5432), waits until every
# container is healthy, runs the smoke tour against the published ports (`pnpm stack smoke
# --compose`: every service's own checks from its `./smoke` export, the tour the local stack
# runs), then brings up every other profile the file declares on top (sharded, cluster,
# pipeline with judge scaled to 2, sentinel, proxy, mq-cluster) and runs each profile's
# tour, then `down -v`.
# Prints each step; exits non-zero on the first failure; always cleans up.
#
#   bash deploy/compose-e2e.sh            (as root; ~3-6 min with cached base images)
#   KEEP_UP=1 bash deploy/compose-e2e.sh  leave the stack up for a look (then: see the last line)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROJECT="${E2E_PROJECT:-fopnp-e2e}"
HEALTH_TIMEOUT_S="${E2E_HEALTH_TIMEOUT_S:-240}"
export REDIS_HOST_PORT="${REDIS_HOST_PORT:-16379}" AMQP_HOST_PORT="${AMQP_HOST_PORT:-15673}" \
  RABBITMQ_UI_HOST_PORT="${RABBITMQ_UI_HOST_PORT:-15674}" POSTGRES_HOST_PORT="${POSTGRES_HOST_PORT:-15432}"
# HEALTHCHECK is part of the Docker image format only; podman's default (OCI) drops it.
export BUILDAH_FORMAT=docker
SOCK="/tmp/fopnp-e2e-podman.$$.sock"
LOGS="${E2E_LOG_DIR:-/tmp/fopnp-compose-e2e}"
COMPOSE=(docker-compose -p "$PROJECT" -f "$REPO_ROOT/docker-compose.yml" -f "$DEPLOY_DIR/compose.e2e.yml")
# Every profile the compose file declares (the manifests' variants and the platform's groups).
mapfile -t PROFILES < <(python3 "$DEPLOY_DIR/compose_info.py" profiles <"$REPO_ROOT/docker-compose.yml")
PROFILE_ARGS=()
for p in "${PROFILES[@]}"; do PROFILE_ARGS+=(--profile "$p"); done
PROFILED=(docker-compose -p "$PROJECT" "${PROFILE_ARGS[@]}" -f "$REPO_ROOT/docker-compose.yml" -f "$DEPLOY_DIR/compose.e2e.yml")
# The smoke tour: tools/stack's CLI (built on the host) against compose's published ports.
smoke() { (cd "$REPO_ROOT" && timeout 300 node tools/stack/dist/cli.js smoke --compose "$@"); }
started=$(date +%s)
phase() { log "── $* (t+$(($(date +%s) - started))s)"; }

cleanup() {
  local rc=$?
  set +e
  stop_health_loop
  if [[ -n "${PODMAN_SOCKET_PID:-}" && "${KEEP_UP:-0}" != 1 ]]; then
    phase "down -v: removing containers, network and volumes"
    timeout 120 "${PROFILED[@]}" down -v --remove-orphans >"$LOGS/down.log" 2>&1 ||
      log "down failed, see $LOGS/down.log"
  fi
  [[ "${KEEP_UP:-0}" == 1 ]] || stop_podman_socket
  if [[ -n "${BUILD_STARTED:-}" ]]; then
    # A build cut short (timeout, Ctrl-C) leaves its buildah working containers behind, each
    # holding a copy of the workspace; this script holds the machine's e2e lock, so any such
    # container is one of its own. Build-cache images older than a day go too, which bounds
    # what repeated runs keep on disk (the current images and their layers stay).
    for id in $(podman ps -a --external --format '{{.ID}} {{.Status}} {{.Names}}' 2>/dev/null |
      awk '$2 == "Storage" && $3 ~ /working-container/ {print $1}'); do
      podman rm -f "$id" >/dev/null 2>&1
    done
    timeout 180 podman image prune -f --filter until=24h >/dev/null 2>&1
  fi
  [[ "${KEEP_UP:-0}" == 1 ]] || rm -f "$SOCK"
  if ((rc == 0)); then
    log "compose e2e PASSED in $(($(date +%s) - started))s"
  else
    log "compose e2e FAILED (exit $rc) after $(($(date +%s) - started))s"
  fi
  [[ "${KEEP_UP:-0}" == 1 && $rc == 0 ]] &&
    log "stack left up (no health-check loop): DOCKER_HOST=unix://$SOCK ${PROFILED[*]} down -v; kill $PODMAN_SOCKET_PID"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits until every container of the project is healthy (or done, for one-shot jobs);
# fails at once, with the last logs, on one that exits non-zero or turns unhealthy.
wait_healthy() {
  phase "waiting for every container to be healthy (at most ${HEALTH_TIMEOUT_S}s)"
  local deadline=$(($(date +%s) + HEALTH_TIMEOUT_S)) states total healthy
  while :; do
    states="$(podman ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}} {{.Status}}' |
      grep -v -E 'Exited \(0\)' || true)"
    total=$(grep -c . <<<"$states" || true)
    healthy=$(grep -c '(healthy)' <<<"$states" || true)
    if grep -q -E 'Exited|unhealthy' <<<"$states"; then
      echo "$states"
      for c in $(grep -E 'Exited|unhealthy' <<<"$states" | awk '{print $1}'); do
        log "last logs of $c:"
        podman logs --tail 30 "$c" 2>&1 | sed 's/^/    /'
      done
      die "a container exited or is unhealthy"
    fi
    ((healthy == total)) && break
    (($(date +%s) < deadline)) || { echo "$states"; die "not all healthy after ${HEALTH_TIMEOUT_S}s"; }
    sleep 2
  done
  echo "$states" | sed 's/^/    /'
  log "all $total containers healthy"
}

[[ $EUID == 0 ]] || die "run as root: these machines have rootful podman only"
# One run at a time on a machine: the stack publishes fixed host ports and one project name.
exec 9>/tmp/fopnp-compose-e2e.lock
if ! flock -n 9; then
  log "another compose e2e is running; waiting for it (at most 15 min)"
  flock -w 900 9 || die "another compose e2e still holds /tmp/fopnp-compose-e2e.lock"
fi
mkdir -p "$LOGS"
log "logs in $LOGS"
bash "$DEPLOY_DIR/prereqs.sh"

phase "base images (kept when already tagged)"
timeout 900 bash "$DEPLOY_DIR/base-images.sh"

phase "podman socket for docker-compose"
start_podman_socket "$SOCK"
log "docker-compose $(docker-compose version --short), podman $(podman version -f '{{.Server.Version}}' 2>/dev/null)"

phase "leftovers of an earlier run"
timeout 120 "${PROFILED[@]}" down -v --remove-orphans >/dev/null 2>&1 || true

phase "the smoke tour's CLI (tools/stack, built on the host)"
(cd "$REPO_ROOT" && timeout 600 pnpm exec turbo run build --output-logs=errors-only --filter=@fopnp/stack...) ||
  die "tools/stack does not build"
log "profiles: default ${PROFILES[*]}"

# Host ports the stack publishes must be free, or `up` fails halfway with a vague error.
busy=()
for p in $("${PROFILED[@]}" config | python3 "$DEPLOY_DIR/compose_info.py" published); do
  if ss -Hltun "sport = :$p" | grep -q .; then busy+=("$p"); fi
done
((${#busy[@]} == 0)) || die "host ports in use, needed by the stack: ${busy[*]} ($(ss -Hltnup | grep -E ":($(IFS='|'; echo "${busy[*]}")) " | awk '{print $NF}' | sort -u | tr '\n' ' '))"

phase "build every service image from its Dockerfile"
BUILD_STARTED=1
services=($(ls "$REPO_ROOT"/services/*/Dockerfile | xargs -n1 dirname | xargs -n1 basename))
log "services: ${services[*]}"
# --parallel: the images share their first stage, and the rest waits on I/O more than CPU.
timeout 900 "${COMPOSE[@]}" build --parallel "${services[@]}" >"$LOGS/build.log" 2>&1 ||
  {
    grep -E "error TS|ERR_PNPM|^ERROR" "$LOGS/build.log" | tail -30
    die "image build failed: $(grep -o "Service '[^']*' failed to build" "$LOGS/build.log" | tr '\n' ' ')(full log: $LOGS/build.log)"
  }
log "built ${#services[@]} images"
# Images of the platform that profiles build themselves (twemproxy for `proxy`).
platform_builds=($("${PROFILED[@]}" config | python3 "$DEPLOY_DIR/compose_info.py" platform-builds))
if ((${#platform_builds[@]})); then
  timeout 900 "${PROFILED[@]}" build "${platform_builds[@]}" >"$LOGS/build-platform.log" 2>&1 ||
    die "image build of ${platform_builds[*]} failed (log: $LOGS/build-platform.log)"
  log "built ${platform_builds[*]}"
fi
for s in "${services[@]}"; do
  podman image exists "fopnp/$s:local" || die "no image fopnp/$s:local after the build"
  size=$(podman image inspect -f '{{.Size}}' "fopnp/$s:local")
  user=$(podman image inspect -f '{{.Config.User}}' "fopnp/$s:local")
  hc=$(podman image inspect -f '{{if .Config.Healthcheck}}{{json .Config.Healthcheck.Test}}{{end}}' "fopnp/$s:local")
  [[ -n "$hc" ]] || die "image fopnp/$s:local has no HEALTHCHECK"
  [[ -n "$user" && "$user" != root && "$user" != 0 && "$user" != 0:* ]] || die "image fopnp/$s:local runs as root"
  log "  fopnp/$s:local $((size / 1000000)) MB, user $user, healthcheck set"
done

phase "up the default profile (health checks run by a background loop: no systemd here)"
start_health_loop "$PROJECT" 2
timeout 600 "${COMPOSE[@]}" up -d --no-build >$LOGS/up.log 2>&1 ||
  { cat $LOGS/up.log; "${COMPOSE[@]}" ps; die "docker-compose up failed"; }

wait_healthy
# Resource limits from the compose file reach the containers (cpus, mem_limit).
for c in $(podman ps --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}'); do
  limits=$(podman inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' "$c")
  [[ "$limits" != "0 0" && "$limits" != 0\ * ]] || die "$c runs without a memory limit ($limits)"
done
log "every container has its memory and CPU limits (e.g. tcp-farewell: $(podman inspect -f '{{.HostConfig.Memory}} bytes, {{.HostConfig.NanoCpus}} nano-CPUs' "${PROJECT}_tcp-farewell_1" 2>/dev/null))"

phase "smoke tour against the published ports (default profile)"
smoke

phase "the other profiles on top: ${PROFILES[*]} (judge scaled to 2)"
# The profiled instances only: the default profile's are up and stay as they are.
profiled_services=($("${PROFILED[@]}" config | python3 "$DEPLOY_DIR/compose_info.py" profiled))
timeout 600 "${PROFILED[@]}" up -d --no-build --scale judge=2 "${profiled_services[@]}" >"$LOGS/up-profiles.log" 2>&1 ||
  { cat "$LOGS/up-profiles.log"; die "docker-compose up of the profiles failed"; }
wait_healthy
for p in "${PROFILES[@]}"; do
  phase "smoke tour of profile $p"
  smoke --profile "$p"
done

if [[ "${KEEP_UP:-0}" == 1 ]]; then exit 0; fi

phase "graceful stop: SIGTERM reaches every service (exit code 0 expected)"
timeout 120 "${PROFILED[@]}" stop -t 20 >/dev/null 2>&1
# The services' containers (images fopnp/<service>), not the backing servers'.
bad=$(podman ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}} {{.Image}} {{.Status}}' |
  awk '$2 ~ /(^|\/)fopnp\// && !/Exited \(0\)/' || true)
if [[ -n "$bad" ]]; then
  echo "$bad"
  # What each one logged after the SIGTERM says why it did not exit (a hung close, a crash).
  while read -r name _; do
    log "last logs of $name:"
    timeout 20 podman logs --tail 30 "$name" 2>&1 | sed 's/^/    /'
  done <<<"$bad"
  die "services did not exit 0 on SIGTERM"
fi
log "every service exited 0 on SIGTERM"
