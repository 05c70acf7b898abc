#!/usr/bin/env bash
# Makes sure the machine services the tests talk to are up, then runs each package's own
# ci/prereqs.sh (apt packages, extra servers). Idempotent; needs root for apt.
set -euo pipefail
cd "$(dirname "$0")/.."

wait_for() { # name, command, seconds
  local name=$1 check=$2 limit=$3
  for _ in $(seq 1 "$limit"); do
    if eval "$check" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "prereqs: $name did not come up within ${limit}s" >&2
  return 1
}

apt_install() { # packages...
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v redis-server >/dev/null && command -v redis-cli >/dev/null || apt_install redis-server redis-tools
command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "prereqs: starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_for redis "redis-cli -h 127.0.0.1 -p 6379 ping" 30
fi

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  echo "prereqs: starting rabbitmq-server"
  rabbitmq-server -detached || true
fi
wait_for rabbitmq "rabbitmqctl -q await_startup" 120
# An app stopped by an interrupted test (stop_app) leaves the node up but not serving.
rabbitmqctl -q start_app >/dev/null 2>&1 || true

for script in libs/*/ci/prereqs.sh services/*/ci/prereqs.sh tools/*/ci/prereqs.sh; do
  [ -f "$script" ] || continue
  echo "prereqs: $script"
  bash "$script"
done
