# Shared by the deploy scripts: podman's configuration on these machines, the
# Docker-compatible socket, and the health-check loop podman needs without systemd.
# Source it; it defines functions and exports CONTAINERS_CONF, nothing runs at load.

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$DEPLOY_DIR/.." && pwd)"
# Without this file podman run fails here (crun, rlimits): see deploy/podman/containers.conf.
export CONTAINERS_CONF="${CONTAINERS_CONF:-$DEPLOY_DIR/podman/containers.conf}"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf '[%s] FAIL: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; exit 1; }

# Starts podman's Docker-compatible API on a private socket; sets DOCKER_HOST and
# PODMAN_SOCKET_PID. The caller stops it with stop_podman_socket.
start_podman_socket() {
  local sock="$1"
  rm -f "$sock"
  podman system service --time=0 "unix://$sock" >"${sock}.log" 2>&1 &
  PODMAN_SOCKET_PID=$!
  export DOCKER_HOST="unix://$sock"
  local i
  for i in $(seq 1 50); do
    [[ -S "$sock" ]] && curl -fsS --unix-socket "$sock" http://d/_ping >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "podman system service did not answer on $sock (log: ${sock}.log)"
}

stop_podman_socket() {
  if [[ -n "${PODMAN_SOCKET_PID:-}" ]]; then
    kill "$PODMAN_SOCKET_PID" 2>/dev/null || true
    wait "$PODMAN_SOCKET_PID" 2>/dev/null || true
    PODMAN_SOCKET_PID=
  fi
}

# podman runs HEALTHCHECKs from systemd timers; there is no systemd here, so containers
# stay "starting" and depends_on: service_healthy waits forever. This loop runs the
# checks by hand for containers of one compose project. Sets HEALTH_LOOP_PID.
start_health_loop() {
  local project="$1" interval="${2:-2}"
  (
    while sleep "$interval"; do
      # Only containers still starting: once healthy, depends_on has what it waits for, and
      # checking thirty containers one by one would slow each round to many seconds. The
      # checks of one round run side by side.
      for c in $(podman ps -q --filter "label=com.docker.compose.project=$project" --filter health=starting 2>/dev/null); do
        podman healthcheck run "$c" >/dev/null 2>&1 &
      done
      wait
    done
  ) &
  HEALTH_LOOP_PID=$!
}

stop_health_loop() {
  if [[ -n "${HEALTH_LOOP_PID:-}" ]]; then
    kill "$HEALTH_LOOP_PID" 2>/dev/null || true
    wait "$HEALTH_LOOP_PID" 2>/dev/null || true
    HEALTH_LOOP_PID=
  fi
}
