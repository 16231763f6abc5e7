#!/usr/bin/env bash
# The real path, end to end, where Docker and kind exist: `churn-labs up` (kind cluster, images,
# metrics-server), then every exercise in course order with `solve <id> --yes` and
# `check <id> --json`, then `down --yes`. Where there is no Docker daemon or no kind it says so and
# exits 0. Run it with `npm run e2e:real` (which builds first). The state folder and the kubeconfig
# are temporary, so the learner's own ~/.kube/config and progress are never touched.
set -uo pipefail
cd "$(dirname "$0")/.."

skip() {
  echo "e2e-real: skipped: $1"
  exit 0
}
command -v kind >/dev/null 2>&1 || skip "kind is not installed (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)."
command -v docker >/dev/null 2>&1 || skip "docker is not installed."
# `docker info` exits 0 even when the daemon is down; the server version is what tells.
[ -n "$(docker info --format '{{.ServerVersion}}' 2>/dev/null)" ] || skip "the Docker daemon is not running (docker info shows no server)."
command -v kubectl >/dev/null 2>&1 || { echo "e2e-real: Docker and kind are here but kubectl is not: install kubectl." >&2; exit 1; }

if [ -z "${E2E_REUSE_CLUSTER:-}" ] && kind get clusters 2>/dev/null | grep -qx churn-labs; then
  echo "e2e-real: a kind cluster churn-labs already exists, and this run would delete it at the end." >&2
  echo "Run churn-labs down first, or set E2E_REUSE_CLUSTER=1 to use it and keep it." >&2
  exit 1
fi

[ -f dist/cli.js ] || npm run build || exit 1
CHURN_LABS_HOME="$(mktemp -d)"
export CHURN_LABS_HOME
export KUBECONFIG="$CHURN_LABS_HOME/kubeconfig"
cli() { node dist/cli.js "$@"; }
cleanup() {
  [ -n "${E2E_REUSE_CLUSTER:-}" ] || cli down --yes
  rm -rf "$CHURN_LABS_HOME"
}
trap cleanup EXIT

echo "=== churn-labs up"
if ! cli up; then
  echo "e2e-real: churn-labs up failed." >&2
  exit 1
fi

ids=$(cli list --json | node -e '
  let text = "";
  process.stdin.on("data", (d) => (text += d)).on("end", () => {
    for (const e of JSON.parse(text).exercises) console.log(e.id);
  });')
[ -n "$ids" ] || { echo "e2e-real: churn-labs list --json named no exercises." >&2; exit 1; }

passed=0
failed=0
failures=""
for id in $ids; do
  echo "=== $id: solve"
  cli solve "$id" --yes
  echo "=== $id: check"
  if cli check "$id" --json >"$CHURN_LABS_HOME/check-$id.json"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures="$failures $id"
    cat "$CHURN_LABS_HOME/check-$id.json"
  fi
done

[ -z "$failures" ] || echo "e2e-real: failing exercises:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
