#!/usr/bin/env bash
# The backing services the local stack needs, on this machine: Redis on 127.0.0.1:6379 and
# RabbitMQ on 127.0.0.1:5672 with its management plugin (:15672); PostgreSQL only when asked
# (FOPNP_POSTGRES=1: the bank uses its embedded SQLite otherwise). Installs what is missing
# from Debian/Ubuntu's own packages when run as root with apt-get, waiting for another apt to
# finish (DPkg::Lock::Timeout) instead of failing; starts what is installed and not
# answering. Anywhere else it prints one message naming what to install. Fast when all is
# there: a `command -v` and a TCP connect each, no apt, no Erlang VM.
#
# Sourced by scripts/setup.sh (ensure_backing), or run on its own: bash scripts/backing.sh
#   FOPNP_POSTGRES=1         also PostgreSQL (postgresql), started on 127.0.0.1:5432
#   FOPNP_SKIP_BACKING=1     do nothing (a machine whose services live elsewhere)
#   FOPNP_APT_LOCK_TIMEOUT   seconds to wait for another apt/dpkg (default 600)

# apt-get with the dpkg lock waited for, quiet, non-interactive. Also used by deploy/prereqs.sh.
apt_get() {
  DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=${FOPNP_APT_LOCK_TIMEOUT:-600}" "$@"
}

# Installs packages, refreshing the package lists first (their lock is waited for as well).
apt_install() {
  echo "setup: apt-get install ${*}"
  apt_get update -qq
  apt_get install -y -qq --no-install-recommends "$@" >/dev/null
}

# True when something accepts TCP connections on 127.0.0.1:$1 (bash's /dev/tcp, no tools).
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_port() { # port seconds
  local _
  for _ in $(seq 1 "$2"); do
    port_open "$1" && return 0
    sleep 1
  done
  return 1
}

# The Debian packages that are missing, one line a service: the plan, testable on its own.
# (FOPNP_SBIN and FOPNP_PG_LIB, where root's commands and PostgreSQL's servers live, are
# there for that test.)
backing_missing() {
  local sbin="${FOPNP_SBIN:-/usr/sbin}" pglib="${FOPNP_PG_LIB:-/usr/lib/postgresql}"
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || echo redis-server redis-tools
  command -v rabbitmq-server >/dev/null 2>&1 || [ -x "$sbin/rabbitmq-server" ] || echo rabbitmq-server
  if [ "${FOPNP_POSTGRES:-}" = 1 ]; then
    command -v psql >/dev/null 2>&1 && compgen -G "$pglib/*/bin/postgres" >/dev/null || echo postgresql
  fi
}

# Starts a service by its init script when there is one (a package's own configuration),
# else by the given command.
start_service() { # name fallback-command...
  local name=$1
  shift
  if [ -x "/etc/init.d/$name" ] && command -v service >/dev/null 2>&1; then
    service "$name" start >/dev/null 2>&1 && return 0
  fi
  "$@"
}

ensure_backing() {
  [ "${FOPNP_SKIP_BACKING:-}" = 1 ] && return 0
  local missing
  missing="$(backing_missing | tr '\n' ' ' | sed 's/ *$//')"
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      # shellcheck disable=SC2086 # one word per package
      apt_install $missing
      hash -r
    else
      echo "setup: the local stack needs these Debian/Ubuntu packages, which are missing: $missing" >&2
      echo "setup: as root, run this script again (it installs them); elsewhere install Redis and RabbitMQ" >&2
      echo "setup: (with its management plugin)${FOPNP_POSTGRES:+ and PostgreSQL} yourself, e.g. brew install redis rabbitmq, and start them" >&2
      return 0
    fi
  fi
  PATH="$PATH:/usr/sbin"
  if ! port_open 6379; then
    echo "setup: starting Redis on 127.0.0.1:6379"
    start_service redis-server redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no ||
      true
    wait_port 6379 30 || echo "setup: Redis did not answer on 127.0.0.1:6379 within 30 s" >&2
  fi
  if ! port_open 5672; then
    echo "setup: starting RabbitMQ on 127.0.0.1:5672 with its management plugin (about 20 s)"
    rabbitmq-plugins enable --offline rabbitmq_management >/dev/null 2>&1 || true
    start_service rabbitmq-server rabbitmq-server -detached || true
    wait_port 5672 120 || echo "setup: RabbitMQ did not answer on 127.0.0.1:5672 within 120 s" >&2
  fi
  # Up without the management plugin (an older install): enable it on the running node.
  if port_open 5672 && ! port_open 15672; then
    echo "setup: enabling RabbitMQ's management plugin (:15672)"
    rabbitmq-plugins enable rabbitmq_management >/dev/null 2>&1 || true
    wait_port 15672 60 || echo "setup: RabbitMQ's management plugin did not answer on :15672" >&2
  fi
  if [ "${FOPNP_POSTGRES:-}" = 1 ] && ! port_open 5432; then
    echo "setup: starting PostgreSQL on 127.0.0.1:5432"
    start_service postgresql true || true
    wait_port 5432 60 || echo "setup: PostgreSQL did not answer on 127.0.0.1:5432 within 60 s" >&2
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ensure_backing
fi
