#!/usr/bin/env bash
# Loads the locally built images (`docker compose build` or podman: fopnp/<service>:local, and
# fopnp-twemproxy:local for the redis-proxy overlay) into the local cluster kubectl points at,
# so `kubectl apply -k k8s/overlays/dev` runs them without a registry:
#   kind-<name>  -> kind load image-archive (per image, saved by the engine)
#   k3d-<name>   -> k3d image import
#   minikube     -> minikube image load
# The images are the ones the manifests under k8s/ name, found in docker or podman.
#   bash k8s/load-images.sh                 # the current kubectl context
#   KUBE_CONTEXT=kind-fopnp bash k8s/load-images.sh
#   DRY_RUN=1 bash k8s/load-images.sh       # print the commands only
#   ENGINE=podman                           # which engine holds the images (default: docker, else podman)
set -euo pipefail
cd "$(dirname "$0")"

context="${KUBE_CONTEXT:-$(kubectl config current-context 2>/dev/null || true)}"
[[ -n "$context" ]] || {
  echo "load-images: no kubectl context; create a cluster (kind create cluster --name fopnp) or set KUBE_CONTEXT" >&2
  exit 2
}
engine="${ENGINE:-$(command -v docker >/dev/null 2>&1 && echo docker || echo podman)}"

# Every fopnp image the manifests name, once.
mapfile -t images < <(grep -rhoE 'image: *"?[^ "]*fopnp[^ "]*:local' . | sed -E 's/image: *"?//' | sort -u)
((${#images[@]})) || {
  echo "load-images: no fopnp images named under k8s/" >&2
  exit 1
}

run() {
  if [[ -n "${DRY_RUN:-}" ]]; then
    echo "$*"
  else
    "$@"
  fi
}

case "$context" in
  kind-*) kind_cluster="${context#kind-}" ;;
  k3d-*) k3d_cluster="${context#k3d-}" ;;
  minikube) ;;
  *)
    echo "load-images: context $context is not kind-*, k3d-* or minikube; push the images to a registry instead (k8s/README.md, Images)" >&2
    exit 2
    ;;
esac

work="$(mktemp -d /tmp/fopnp-images.XXXXXX)"
trap 'rm -rf "$work"' EXIT
for image in "${images[@]}"; do
  # A bare name is docker.io/library/<name> to the engines, and to the cluster's runtime.
  [[ "$image" == */* ]] && ref="docker.io/$image" || ref="docker.io/library/$image"
  if [[ -z "${DRY_RUN:-}" ]] && ! "$engine" image inspect "$ref" >/dev/null 2>&1; then
    echo "load-images: $ref is not built in $engine: docker compose build (or deploy/compose-e2e.sh) first" >&2
    exit 1
  fi
  tar="$work/$(echo "$image" | tr '/:' '__').tar"
  echo "load-images: $ref -> $context"
  run "$engine" save -o "$tar" "$ref"
  case "$context" in
    kind-*) run kind load image-archive "$tar" --name "$kind_cluster" ;;
    k3d-*) run k3d image import "$tar" -c "$k3d_cluster" ;;
    minikube) run minikube image load "$tar" ;;
  esac
done
echo "load-images: ${#images[@]} images in $context; now: kubectl apply -k k8s/overlays/dev"
