#!/usr/bin/env bash
# Installs what fopnp-ts needs on a fresh Node 20 machine: pnpm 12.4.2 (the version the
# lockfile is written with), the workspace's dependencies, and a build of every package.
set -euo pipefail
cd "$(dirname "$0")/.."

want=12.4.2
if [ "$(pnpm --version 2>/dev/null || true)" != "$want" ]; then
  echo "setup: installing pnpm $want"
  npm install -g "pnpm@$want" --loglevel=error
fi

# Native addons (better-sqlite3) build with node-gyp; point it at the machine's Node
# headers so it does not try to download them (only the npm registry is reachable).
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

if [ -n "${CI:-}" ]; then
  pnpm install --frozen-lockfile
else
  pnpm install
fi
pnpm exec turbo run build --output-logs=errors-only
