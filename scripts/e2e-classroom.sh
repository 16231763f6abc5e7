#!/usr/bin/env bash
# A class of three on one cluster, end to end, as an instructor and three learners would do it:
# `classroom create` from the admin context; each learner, with their own CHURN_LABS_HOME and only
# the kubeconfig create wrote (no $KUBECONFIG, no ~/.kube/config), brings their lab up
# (`up --kubeconfig`, what `start --kubeconfig` does first), solves and checks Exercise 1, starts an
# incident (its check must fail), solves it and checks it; then one learner's kubeconfig tries
# another learner's namespace, secrets elsewhere, a namespace of its own and cluster-admin (each must
# be refused: "forbidden"), and a pod over the quota ("exceeded quota"); `classroom status --json`
# and `export --csv` must show each learner's Exercise 1 and incident done; `classroom delete --yes`
# must leave no learner namespace or access behind.
#
# The cluster: E2E_CONTEXT (with E2E_KUBECONFIG, else $KUBECONFIG or ~/.kube/config), any cluster
# whose node has the churn-labs images (kind after `churn-labs up`, or the simulated cluster's
# churn-labs-sim); by default kind-churn-labs, and then without kind or a Docker daemon it says so and
# exits 0. `npm run e2e:real` runs it at its end. It refuses (exit 1) a cluster that holds a class
# already, which its `classroom delete` would delete. Each learner's API is scaled to 0 once they are
# done, so that a node of 4 CPUs holds one learner's system at a time.
#
# Every failed step prints a line "e2e-classroom: FAIL <what>" (stderr) and the run goes on where it
# can. What it made is deleted at the end, whatever happened. Exit 0 when everything passed, else 1.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
e2e_name=e2e-classroom
# shellcheck source=scripts/e2e-lib.sh
. scripts/e2e-lib.sh

refuse() {
  echo "e2e-classroom: $1" >&2
  exit 1
}
context=${E2E_CONTEXT:-}
if [ -z "$context" ]; then
  context=kind-churn-labs
  skip_without_kind_and_docker ' (or set E2E_CONTEXT to the admin context of another cluster)' ' (docker info shows no server)'
  kind get clusters 2>/dev/null | grep -qx churn-labs ||
    refuse "there is no kind cluster churn-labs: run churn-labs up first (npm run e2e:real runs this at its end)."
fi
command -v kubectl >/dev/null 2>&1 || refuse "kubectl is not on PATH: install kubectl."
command -v node >/dev/null 2>&1 || refuse "node is not on PATH: install Node.js."
admin_flags=(--context "$context")
[ -n "${E2E_KUBECONFIG:-}" ] && admin_flags+=(--kubeconfig "$E2E_KUBECONFIG")
admin() { kubectl "${admin_flags[@]}" "$@"; }

learners=(e2e-ana e2e-bob e2e-cy)
# One incident each (a function rather than an associative array: macOS has bash 3.2).
incident_of() {
  case $1 in
    e2e-ana) echo incident-bad-image ;;
    # Under the quota the oversized pods are refused rather than Pending (the classroom variant).
    e2e-bob) echo incident-pending ;;
    *) echo incident-no-endpoints ;;
  esac
}
selector=app.kubernetes.io/managed-by=churn-labs,churn-labs.dev/learner

if ! existing=$(admin get namespaces -l "$selector" -o name 2>&1); then
  refuse "context $context does not answer as an admin (kubectl get namespaces: $existing)."
fi
[ -z "$existing" ] ||
  refuse "context $context holds a class already (${existing//$'\n'/ }), which this run's classroom delete would delete. Delete it first (churn-labs classroom delete --context $context) or use another cluster."

need_build
state=$(mktemp -d "${TMPDIR:-/tmp}/churn-labs-e2e-classroom.XXXXXX") || exit 1
export NO_COLOR=1
# The instructor: their own state folder, on the admin context.
teacher() { CHURN_LABS_HOME="$state/instructor" node dist/cli.js "$@" "${admin_flags[@]}" </dev/null; }
kubeconfig_of() { echo "$state/instructor/classroom/$1.kubeconfig"; }
# A learner on their own machine: their own state folder and only their kubeconfig (a HOME with no
# ~/.kube/config and no $KUBECONFIG), so whatever reached the admin's would fail.
# shellcheck disable=SC2317 # called through expect_exit
learner() {
  local name=$1
  shift
  mkdir -p "$state/$name"
  env -u KUBECONFIG HOME="$state/$name" CHURN_LABS_HOME="$state/$name" \
    node dist/cli.js "$@" --kubeconfig "$(kubeconfig_of "$name")" </dev/null
}
as_learner() {
  local name=$1
  shift
  env -u KUBECONFIG HOME="$state/$name" kubectl --kubeconfig "$(kubeconfig_of "$name")" "$@"
}

class_made=0
class_deleted=0
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [ "$class_made" = 1 ] && [ "$class_deleted" = 0 ]; then
    echo "=== cleanup: classroom delete"
    teacher classroom delete --yes >/dev/null 2>&1 || echo "e2e-classroom: cleanup: classroom delete failed" >&2
  fi
  # What a refused attempt would have made, had it not been refused.
  admin delete namespace e2e-sneaky --ignore-not-found --wait=false >/dev/null 2>&1
  admin delete clusterrolebinding e2e-escalate --ignore-not-found >/dev/null 2>&1
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failures=0
fail() {
  echo "e2e-classroom: FAIL $1" >&2
  failures=$((failures + 1))
}
# Runs a command with its output in a log; on an exit code other than the expected one, a FAIL line
# with the log's last lines.
expect_exit() {
  local want=$1 what=$2
  shift 2
  local log="$state/step.log"
  "$@" >"$log" 2>&1
  local code=$?
  cat "$log"
  if [ "$code" -ne "$want" ]; then
    fail "$what: exit $code, expected $want"
    tail -n 12 "$log" | sed 's/^/    /' >&2
    return 1
  fi
}

echo "=== classroom create --learners (${learners[*]}) on context $context"
printf '%s\n' "${learners[@]}" >"$state/learners.txt"
if ! expect_exit 0 "classroom create" teacher classroom create --learners "$state/learners.txt" --yes; then
  class_made=1
  exit 1
fi
class_made=1
for name in "${learners[@]}"; do
  [ -f "$(kubeconfig_of "$name")" ] || fail "classroom create wrote no kubeconfig for $name"
done

for name in "${learners[@]}"; do
  incident=$(incident_of "$name")
  echo "=== $name: their lab, Exercise 1 and $incident in churn-mlops-$name"
  expect_exit 0 "$name: up --kubeconfig" learner "$name" up || continue
  expect_exit 0 "$name: solve deploy-system" learner "$name" solve deploy-system --yes
  expect_exit 0 "$name: check deploy-system" learner "$name" check deploy-system || continue
  expect_exit 0 "$name: incident $incident" learner "$name" incident "$incident" --yes || continue
  expect_exit 1 "$name: check $incident once broken" learner "$name" check "$incident"
  expect_exit 0 "$name: solve $incident" learner "$name" solve "$incident" --yes
  expect_exit 0 "$name: check $incident once solved" learner "$name" check "$incident"
  # Room on the node for the next learner's system.
  admin scale deployment/churn-api --replicas=0 -n "churn-mlops-$name" >/dev/null ||
    fail "$name: scaling churn-api to 0 as the admin"
done

echo "=== ${learners[0]}'s kubeconfig outside their namespace"
me=${learners[0]}
other=${learners[1]}
user="system:serviceaccount:churn-mlops-$me:learner"
# kubectl auth can-i prints "no" and exits 1 for what is not allowed.
while read -r -a question; do
  # (stderr may warn that a cluster-wide resource ignores the context's namespace)
  answer=$(as_learner "$me" auth can-i "${question[@]}" 2>/dev/null </dev/null)
  code=$?
  echo "can-i ${question[*]}: $answer"
  if [ "$code" -eq 0 ] || [ "$answer" != no ]; then
    fail "$me: auth can-i ${question[*]} says \"$answer\" (exit $code), expected no"
  fi
done <<EOF
list pods -n churn-mlops-$other
get configmaps/churn-labs-progress -n churn-mlops-$other
create deployments.apps -n churn-mlops-$other
list secrets -n kube-system
list secrets --all-namespaces
create namespaces
create clusterrolebindings.rbac.authorization.k8s.io
create rolebindings.rbac.authorization.k8s.io
EOF
# Real attempts: each refused by the API server, "forbidden".
refused() {
  local what=$1
  shift
  local out code
  out=$(as_learner "$me" "$@" 2>&1 </dev/null)
  code=$?
  echo "$what: $out"
  if [ "$code" -eq 0 ] || ! grep -q forbidden <<<"$out"; then
    fail "$me: $what was not refused as forbidden (exit $code): $out"
  fi
}
refused "list pods in churn-mlops-$other" get pods -n "churn-mlops-$other"
refused "read $other's progress" get configmap churn-labs-progress -n "churn-mlops-$other"
refused "delete $other's API" delete deployment churn-api -n "churn-mlops-$other"
refused "secrets in kube-system" get secrets -n kube-system
refused "secrets of every namespace" get secrets --all-namespaces
refused "create a namespace" create namespace e2e-sneaky
refused "bind cluster-admin in their namespace" create rolebinding e2e-escalate --clusterrole=cluster-admin \
  "--serviceaccount=churn-mlops-$me:learner"
refused "bind cluster-admin cluster-wide" create clusterrolebinding e2e-escalate --clusterrole=cluster-admin \
  "--serviceaccount=churn-mlops-$me:learner"
grep -q "User \"$user\"" <<<"$(as_learner "$me" get pods -n "churn-mlops-$other" 2>&1 </dev/null)" ||
  fail "$me: the refusal does not name the user $user"

echo "=== a pod over ${learners[2]}'s quota"
big=$(as_learner "${learners[2]}" apply -f - 2>&1 <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: e2e-too-big
spec:
  containers:
    - name: c
      image: churn-labs/churn-api:0.1.0
      resources:
        requests: { memory: 11Gi }
        limits: { memory: 11Gi }
EOF
)
code=$?
echo "$big"
if [ "$code" -eq 0 ] || ! grep -q 'forbidden: exceeded quota: churn-labs-quota' <<<"$big"; then
  fail "${learners[2]}: a pod asking 11Gi was not refused by the quota (exit $code): $big"
fi

echo "=== classroom status --json and export --csv"
cat >"$state/assert.mjs" <<'NODE'
// node assert.mjs status|export FILE name=incident...: what the instructor reads of each learner.
import { readFileSync } from 'node:fs';

const [what, file, ...pairs] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
const expected = new Map(pairs.map((p) => p.split('=')));
const problems = [];
if (what === 'status') {
  let learners;
  try {
    ({ learners } = JSON.parse(text));
  } catch {
    problems.push(`status --json printed no JSON: ${text.slice(0, 300)}`);
  }
  for (const [name, incident] of learners ? expected : []) {
    const learner = learners.find((l) => l.name === name);
    if (!learner) {
      problems.push(`${name} is not in classroom status`);
      continue;
    }
    if (learner.namespace !== `churn-mlops-${name}`) problems.push(`${name}: namespace ${learner.namespace}`);
    const status = (id) => learner.exercises.find((e) => e.id === id)?.status;
    for (const id of ['deploy-system', incident])
      if (status(id) !== 'done') problems.push(`${name}: ${id} is ${status(id)}, not done`);
    if (learner.incidentsSolved !== 1) problems.push(`${name}: ${learner.incidentsSolved} incidents solved, not 1`);
  }
  if (learners && learners.length !== expected.size)
    problems.push(`status lists ${learners.length} learners, not ${expected.size}`);
} else if (what === 'export') {
  const [header, ...rows] = text.split('\r\n').filter((line) => line !== '');
  const columns = header.split(',');
  const at = (row, column) => row.split(',')[columns.indexOf(column)];
  for (const name of expected.keys()) {
    const row = rows.find((r) => at(r, 'name') === name);
    if (!row) problems.push(`${name} has no row in export --csv`);
    else if (at(row, 'exercisesDone') !== '1' || at(row, 'incidentsSolved') !== '1')
      problems.push(`${name}'s row says ${at(row, 'exercisesDone')} exercises and ${at(row, 'incidentsSolved')} incidents, not 1 and 1: ${row}`);
  }
  if (rows.length !== expected.size) problems.push(`export --csv has ${rows.length} rows, not ${expected.size}`);
}
for (const p of problems) console.log(p);
process.exit(problems.length === 0 ? 0 : 1);
NODE
pairs=()
for name in "${learners[@]}"; do pairs+=("$name=$(incident_of "$name")"); done
if teacher classroom status --json >"$state/status.json" 2>"$state/status.err"; then
  problems=$(node "$state/assert.mjs" status "$state/status.json" "${pairs[@]}") ||
    fail "classroom status --json: $problems"
else
  fail "classroom status --json exited non-zero: $(cat "$state/status.err")"
fi
if teacher classroom export --csv >"$state/export.csv" 2>"$state/export.err"; then
  cat "$state/export.csv"
  problems=$(node "$state/assert.mjs" export "$state/export.csv" "${pairs[@]}") ||
    fail "classroom export --csv: $problems"
else
  fail "classroom export --csv exited non-zero: $(cat "$state/export.err")"
fi

echo "=== classroom delete --yes"
if expect_exit 0 "classroom delete" teacher classroom delete --yes; then
  class_deleted=1
  left=$(admin get namespaces,clusterrolebindings -l "$selector" -o name 2>&1)
  [ -z "$left" ] || fail "classroom delete left: ${left//$'\n'/ }"
  for name in "${learners[@]}"; do
    gone=$(admin get namespace "churn-mlops-$name" --ignore-not-found -o name 2>&1)
    [ -z "$gone" ] || fail "classroom delete left the namespace churn-mlops-$name: $gone"
    [ ! -e "$(kubeconfig_of "$name")" ] || fail "classroom delete left $name's kubeconfig"
  done
fi

if [ "$failures" -eq 0 ]; then
  echo "e2e-classroom: passed"
  exit 0
fi
echo "e2e-classroom: $failures failed" >&2
exit 1
