#!/usr/bin/env bash
# `churn-labs up --context NAME --registry R` on a real cluster that is not churn-labs' own: a kind
# cluster `churn-class` with a local registry, made as kind documents it
# (https://kind.sigs.k8s.io/docs/user/local-registry/: a registry container on 127.0.0.1:5001, each
# node's containerd told that localhost:5001 is that container, the registry on the kind network).
# Then `up` builds and pushes the images there, a second `up` pushes nothing, and Exercise 1 is
# solved and checked with the images pulled from the registry. metrics-server is applied first from
# the package's kind manifest, as a cluster that has its own would (off kind, `up --yes` installs it
# without --kubelet-insecure-tls, which kind's self-signed kubelet certificates need).
#
# Where there is no Docker daemon or no kind it says so and exits 0. It refuses to touch an existing
# cluster churn-class or container churn-class-registry. Everything it made is removed at the end.
# Exit 0 when Exercise 1 passed, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
e2e_name=e2e-registry
# shellcheck source=scripts/e2e-lib.sh
. scripts/e2e-lib.sh

skip_without_kind_and_docker '' ''
command -v kubectl >/dev/null 2>&1 || { echo "e2e-registry: kubectl is not installed." >&2; exit 1; }

cluster=churn-class
context=kind-$cluster
registry_name=churn-class-registry
registry_port=5001
registry=localhost:$registry_port
if kind get clusters 2>/dev/null | grep -qx "$cluster"; then
  echo "e2e-registry: a kind cluster $cluster already exists; delete it first (kind delete cluster --name $cluster)." >&2
  exit 1
fi
if docker inspect "$registry_name" >/dev/null 2>&1; then
  echo "e2e-registry: a container $registry_name already exists; remove it first (docker rm -f $registry_name)." >&2
  exit 1
fi

temporary_home churn-labs-e2e-registry
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  kind delete cluster --name "$cluster" >/dev/null 2>&1
  docker rm -f "$registry_name" >/dev/null 2>&1
  rm -rf "$CHURN_LABS_HOME"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "=== a local registry and a kind cluster $cluster that pulls from it"
docker run -d --restart=always -p "127.0.0.1:$registry_port:5000" --network bridge --name "$registry_name" registry:2 >/dev/null || exit 1
kind create cluster --name "$cluster" --config=- <<EOF || exit 1
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
containerdConfigPatches:
- |-
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "/etc/containerd/certs.d"
EOF
for node in $(kind get nodes --name "$cluster"); do
  docker exec "$node" mkdir -p "/etc/containerd/certs.d/$registry" || exit 1
  printf '[host."http://%s:5000"]\n' "$registry_name" | docker exec -i "$node" cp /dev/stdin "/etc/containerd/certs.d/$registry/hosts.toml" || exit 1
done
docker network connect kind "$registry_name" || exit 1
kubectl --context "$context" apply -f manifests/platform/metrics-server.yaml >/dev/null || exit 1
kubectl --context "$context" wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=240s || exit 1

echo "=== churn-labs up --context $context --registry $registry"
cli up --context "$context" --registry "$registry" || { echo "e2e-registry: up failed" >&2; exit 1; }
echo "=== again: nothing to build or push"
again=$(cli up 2>&1) || { echo "$again"; echo "e2e-registry: the second up failed" >&2; exit 1; }
echo "$again"
grep -q 'Everything was already up' <<<"$again" || { echo "e2e-registry: the second up changed something" >&2; exit 1; }

echo "=== Exercise 1 with the images from $registry"
cli solve deploy-system --yes
if cli check deploy-system --wait 180; then
  echo "e2e-registry: passed"
  exit 0
fi
echo "e2e-registry: deploy-system did not pass" >&2
exit 1
