#!/usr/bin/env bash
# rabbit-pipeline's tests talk to the real RabbitMQ on 127.0.0.1:5672 (guest/guest) and
# call rabbitmqctl (stop_app/start_app in broker-restart.test.ts); cluster-failover.test.ts
# and bench/cluster.ts start three more nodes from /usr/lib/rabbitmq/bin of the same
# package, registered with this broker's epmd (4369). Idempotent: installs
# the server only if missing, starts it only if down, and waits until it answers.
set -euo pipefail

if ! command -v rabbitmqctl >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
fi

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  echo "rabbit-pipeline prereqs: starting rabbitmq-server"
  rabbitmq-server -detached
fi

# Wait for the node itself, then make sure the app runs: the node may be up with the
# app stopped (an interrupted stop_app/start_app test).
for _ in $(seq 1 60); do
  rabbitmqctl -q status >/dev/null 2>&1 && break
  sleep 1
done
if [ "$(rabbitmqctl -q eval 'rabbit:is_running().' 2>/dev/null || true)" = "false" ]; then
  echo "rabbit-pipeline prereqs: the RabbitMQ app was stopped; starting it"
  rabbitmqctl -q start_app
fi
rabbitmqctl -q await_startup --timeout 120

for _ in $(seq 1 60); do
  if (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
    echo "rabbit-pipeline prereqs: RabbitMQ answers on 127.0.0.1:5672"
    exit 0
  fi
  sleep 1
done
echo "rabbit-pipeline prereqs: RabbitMQ did not open 127.0.0.1:5672 within 60 s" >&2
exit 1
