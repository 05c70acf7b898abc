#!/usr/bin/env bash
# rpc-gateway's tests use Python's standard library as the peer (xmlrpc.client, the book's
# SimpleXMLRPCServer, urllib), the book's JSON-RPC programs (python3-jsonrpclib-pelix), the
# real RabbitMQ on 127.0.0.1:5672 (queue.publish), and
# Redis on 127.0.0.1:6379 through redis-cache (cache.get/set). Idempotent: installs only
# what is missing, starts only what is down, and waits until it answers.
set -euo pipefail

missing=()
command -v python3 >/dev/null || missing+=(python3)
command -v rabbitmqctl >/dev/null || missing+=(rabbitmq-server)
command -v redis-server >/dev/null || missing+=(redis-server)
# The book's jsonrpc_server.py and jsonrpc_client.py import jsonrpclib: Debian's package, for
# Debian's /usr/bin/python3 (test/book-jsonrpc.test.ts runs them with that interpreter).
/usr/bin/python3 -c 'import jsonrpclib' 2>/dev/null || missing+=(python3-jsonrpclib-pelix)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
fi

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! answers 6379; then
  echo "rpc-gateway prereqs: starting redis-server on 127.0.0.1:6379"
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes >/dev/null
fi

if ! answers 5672; then
  if ! rabbitmqctl -q status >/dev/null 2>&1; then
    echo "rpc-gateway prereqs: starting rabbitmq-server"
    rabbitmq-server -detached
  fi
  rabbitmqctl -q await_startup --timeout 120 || true
fi

for port in 6379 5672; do
  for _ in $(seq 1 120); do
    answers "$port" && break
    sleep 1
  done
  answers "$port" || { echo "rpc-gateway prereqs: nothing answers on 127.0.0.1:$port" >&2; exit 1; }
done
echo "rpc-gateway prereqs: python3 $(python3 -c 'import sys; print(sys.version.split()[0])'), Redis and RabbitMQ answer"
