#!/usr/bin/env bash
# Every check of the project, in the order CI runs them: prerequisites, lint, typecheck,
# every package's tests (real Redis, RabbitMQ, PostgreSQL, sockets, browser), then the
# compose end-to-end run. Prints one summary line "tests: N passed, N failed" at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
failed_steps=()

step() { # name, command...
  local name=$1
  shift
  echo
  echo "==> $name"
  local t0=$(date +%s)
  if "$@"; then
    echo "==> $name: ok ($(($(date +%s) - t0))s)"
  else
    echo "==> $name: FAILED ($(($(date +%s) - t0))s)"
    failed_steps+=("$name")
  fi
}

step "prerequisites" bash scripts/ci-prereqs.sh
step "lint (biome)" pnpm exec biome check .
step "typecheck" pnpm exec turbo run typecheck --continue --output-logs=errors-only
# Two packages at a time: the suites use real servers and timing bounds, and the machine
# has two cores. rabbit-pipeline runs alone afterwards: its restart test stops the shared
# RabbitMQ for a few seconds, which other suites using the broker would see as a failure.
step "tests" pnpm exec turbo run test --continue --concurrency=2 --output-logs=new-only --filter='!@fopnp/rabbit-pipeline'
step "tests (rabbit-pipeline, alone)" pnpm exec turbo run test --continue --output-logs=new-only --filter=@fopnp/rabbit-pipeline
if [ -f deploy/compose-e2e.sh ]; then
  step "compose end-to-end (podman)" bash deploy/compose-e2e.sh
fi

node scripts/test-summary.mjs
echo "total time: $(($(date +%s) - started))s"
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
  exit 1
fi
