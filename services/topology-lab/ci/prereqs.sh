#!/usr/bin/env bash
# topology-lab's tests: RabbitMQ with its management HTTP API (the lab reads exchanges,
# queues, bindings, consumers and rates from it on :15672), redis-server/redis-cli for the
# shards the tests start, and Debian's chromium driven by playwright-core. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

# The broker itself (installed, started, answering) is rabbit-pipeline's prerequisite.
bash "$here/../rabbit-pipeline/ci/prereqs.sh"

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v curl >/dev/null || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Enabling an enabled plugin is a no-op; the management listener starts on 15672.
if ! rabbitmq-plugins -q is_enabled rabbitmq_management >/dev/null 2>&1; then
  echo "topology-lab prereqs: enabling rabbitmq_management"
  rabbitmq-plugins -q enable rabbitmq_management
fi
for _ in $(seq 1 60); do
  if curl -fsS -u guest:guest -o /dev/null http://127.0.0.1:15672/api/overview; then
    echo "topology-lab prereqs: RabbitMQ management API answers on 127.0.0.1:15672"
    exit 0
  fi
  sleep 1
done
echo "topology-lab prereqs: the management API did not answer on 127.0.0.1:15672 within 60 s" >&2
exit 1
