#!/usr/bin/env bash
# Installs what fopnp-ts needs: Node.js 24 (the active LTS) when the machine's Node is older,
# pnpm 12.4.2 (the version the lockfile is written with), the workspace's dependencies, a
# build of every package, each service's command on PATH, and the backing services the local
# stack needs (scripts/backing.sh: Redis, RabbitMQ with its management plugin; PostgreSQL
# with FOPNP_POSTGRES=1), installed from apt as root and started when down. Safe to run
# again: each step is skipped or redone to the same result.
#
# Node 24 comes from the npm registry (the node-linux-<arch> package carries the official
# binary), unpacked into its own prefix and linked into a bin directory that comes before
# /usr/bin on PATH; the machine's own Node (/usr/bin/node) is left as it is.
#   FOPNP_NODE_PREFIX  where Node 24 is unpacked (default /opt/fopnp-node24)
#   FOPNP_BIN_DIR      where `node` and the services' commands are linked (default /usr/local/bin)
set -euo pipefail
cd "$(dirname "$0")/.."

node_want=24
node_prefix="${FOPNP_NODE_PREFIX:-/opt/fopnp-node24}"
bin_dir="${FOPNP_BIN_DIR:-/usr/local/bin}"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
# True when the directory, or the nearest existing parent it would be created in, is writable.
writable() {
  local d="$1"
  while [ ! -e "$d" ]; do d="$(dirname "$d")"; done
  [ -w "$d" ]
}

ensure_node() {
  [ "$(node_major)" -ge "$node_want" ] && return 0
  local have
  have="$(node --version 2>/dev/null || echo none)"
  if ! writable "$bin_dir" || ! writable "$(dirname "$node_prefix")"; then
    echo "setup: fopnp-ts needs Node.js $node_want or newer; this machine has $have." >&2
    echo "setup: run this script as root to install Node $node_want from the npm registry into $node_prefix" >&2
    echo "setup: (or set FOPNP_NODE_PREFIX and FOPNP_BIN_DIR to folders you own, the latter early on PATH)," >&2
    echo "setup: or install Node $node_want yourself (nvm, fnm, your distribution) and run it again." >&2
    exit 1
  fi
  # Never replace the machine's own Node (the official node images keep it in
  # /usr/local/bin): only a missing entry or our own link is (re)made.
  if { [ -e "$bin_dir/node" ] || [ -L "$bin_dir/node" ]; } &&
    [ "$(readlink "$bin_dir/node" 2>/dev/null || true)" != "$node_prefix/bin/node" ]; then
    echo "setup: $bin_dir/node is this machine's own Node ($have); setup does not replace it." >&2
    echo "setup: set FOPNP_BIN_DIR to a folder that comes before $bin_dir on PATH, where Node $node_want" >&2
    echo "setup: will be linked, or install Node $node_want yourself, and run this again." >&2
    exit 1
  fi
  if ! "$node_prefix/bin/node" --version 2>/dev/null | grep -q "^v$node_want\."; then
    local arch
    case "$(uname -m)" in
      x86_64) arch=x64 ;;
      aarch64 | arm64) arch=arm64 ;;
      *)
        echo "setup: no Node $node_want package for $(uname -m) on the npm registry; install Node $node_want yourself" >&2
        exit 1
        ;;
    esac
    if ! command -v npm >/dev/null; then
      echo "setup: npm is needed to fetch Node $node_want from the npm registry; install npm (or Node $node_want) first" >&2
      exit 1
    fi
    echo "setup: Node $have is older than $node_want; installing node-linux-$arch@$node_want from the npm registry into $node_prefix"
    local tmp
    tmp="$(mktemp -d)"
    # npm pack checks the tarball against the registry's integrity hash.
    (cd "$tmp" && npm pack "node-linux-$arch@$node_want" --silent >/dev/null)
    rm -rf "$node_prefix.new"
    mkdir -p "$node_prefix.new"
    tar xzf "$tmp"/node-linux-*.tgz -C "$node_prefix.new" --strip-components=1 --no-same-owner
    rm -rf "$tmp" "$node_prefix"
    mv "$node_prefix.new" "$node_prefix"
  fi
  mkdir -p "$bin_dir"
  ln -sfn "$node_prefix/bin/node" "$bin_dir/node"
  hash -r
  if [ "$(node_major)" -lt "$node_want" ]; then
    echo "setup: Node $node_want is in $bin_dir/node, but $(command -v node) comes first on PATH;" >&2
    echo "setup: put $bin_dir before $(dirname "$(command -v node)") in PATH and run this again." >&2
    exit 1
  fi
  echo "setup: node is now $(node --version) ($bin_dir/node -> $node_prefix/bin/node)"
}

ensure_node

pnpm_want=12.4.2
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_want" ]; then
  echo "setup: installing pnpm $pnpm_want"
  npm install -g "pnpm@$pnpm_want" --loglevel=error
  hash -r
  # npm's global prefix follows the Node that runs it, so with our Node 24 pnpm lands in
  # $node_prefix/bin, which is not on PATH: link it beside node.
  if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_want" ]; then
    ln -sfn "$(npm prefix -g)/bin/pnpm" "$bin_dir/pnpm"
    hash -r
  fi
fi

if [ -n "${CI:-}" ]; then
  pnpm install --frozen-lockfile
else
  pnpm install
fi
pnpm exec turbo run build --output-logs=errors-only

# Every service's command on PATH, as the READMEs write them (`tcp-farewell client 127.0.0.1`):
# links in $bin_dir to the workspace's own bins in node_modules/.bin (the root package.json
# depends on each service, so pnpm makes them; its shims follow the link back). Never npx,
# which would look the name up on the registry.
link_commands() {
  local pkg name target linked=()
  if ! writable "$bin_dir"; then
    echo "setup: cannot write $bin_dir; for the services' commands, put $PWD/node_modules/.bin on PATH" >&2
    return 0
  fi
  mkdir -p "$bin_dir"
  for pkg in services/*/package.json tools/book/package.json; do
    for name in $(node -p "Object.keys(require('./$pkg').bin ?? {}).join(' ')"); do
      target="$PWD/node_modules/.bin/$name"
      if [ ! -x "$target" ]; then
        echo "setup: $target is missing; $name is not linked" >&2
        continue
      fi
      # Replace only what is ours: nothing, or a link to some checkout's node_modules/.bin.
      if [ -e "$bin_dir/$name" ] || [ -L "$bin_dir/$name" ]; then
        case "$(readlink "$bin_dir/$name" 2>/dev/null || true)" in
          */node_modules/.bin/"$name") ;;
          *)
            echo "setup: $bin_dir/$name exists and is not a link to a workspace bin; left as it is" >&2
            continue
            ;;
        esac
      fi
      ln -sfn "$target" "$bin_dir/$name"
      linked+=("$name")
    done
  done
  hash -r
  echo "setup: on PATH from $bin_dir: ${linked[*]}"
  if [ "${#linked[@]}" -gt 0 ] && [ "$(command -v "${linked[0]}")" != "$bin_dir/${linked[0]}" ]; then
    echo "setup: but $bin_dir is not on PATH (before any other ${linked[0]}); add it to use the commands" >&2
  fi
}
link_commands

# Redis and RabbitMQ (and PostgreSQL when asked): installed when missing, started when down.
# shellcheck source=scripts/backing.sh
. scripts/backing.sh
ensure_backing
