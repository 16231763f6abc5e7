#!/usr/bin/env bash
# The real path, end to end, where Docker and kind exist: `churn-labs up` (kind cluster, images,
# metrics-server), a second `up` that must build and load nothing, then every exercise of
# `churn-labs list --json` in course order with `solve <id> --yes` and `check <id> --json`, then
# `down --yes`, after a class of three on the same cluster (scripts/e2e-classroom.sh: three learners
# with their own kubeconfigs, RBAC, the quota, classroom status, export and delete). Each incident first puts the system back as Exercise 1 left it (`reset <id> --yes`:
# the exercises before it leave an autoscaler and other changes behind), then breaks it with
# `incident <id> --yes`, and its solution must fix it.
#
# It reports per exercise, pass or FAIL with the seconds it took and, for a failure, the failing
# checks' messages, as a Markdown table headed by the image store Docker uses. The report goes to
# $E2E_REPORT, or to the path given as the first argument; without either it is written in the
# state folder and copied out to a temporary file before cleanup (its path is printed).
#
# Where there is no Docker daemon or no kind it says so and exits 0. It refuses to run over an
# existing kind cluster churn-labs (which it would delete at the end) unless E2E_REUSE_CLUSTER=1,
# which uses that cluster and keeps it. Run it with `npm run e2e:real` (which builds first). The
# state folder and the kubeconfig are temporary, so the learner's own ~/.kube/config and progress
# are never touched. Exit 0 when everything passed, 1 otherwise.
set -uo pipefail
start_dir=$PWD
cd "$(dirname "$0")/.." || exit 1
e2e_name=e2e-real
# shellcheck source=scripts/e2e-lib.sh
. scripts/e2e-lib.sh

skip_without_kind_and_docker ' (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)' ' (docker info shows no server)'
command -v kubectl >/dev/null 2>&1 || { echo "e2e-real: Docker and kind are here but kubectl is not: install kubectl." >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "e2e-real: node is not on PATH: install Node.js." >&2; exit 1; }

if [ "${E2E_REUSE_CLUSTER:-}" != 1 ] && kind get clusters 2>/dev/null | grep -qx churn-labs; then
  echo "e2e-real: a kind cluster churn-labs already exists, and this run would delete it at the end." >&2
  echo "Run churn-labs down first, or set E2E_REUSE_CLUSTER=1 to use it and keep it." >&2
  exit 1
fi

report_dest=${E2E_REPORT:-${1:-}}
case "$report_dest" in
  '' | /*) ;;
  *) report_dest="$start_dir/$report_dest" ;;
esac

temporary_home churn-labs-e2e
state=$CHURN_LABS_HOME
report=${report_dest:-$state/report.md}
mkdir -p "$(dirname "$report")" || exit 1
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  [ "${E2E_REUSE_CLUSTER:-}" = 1 ] || cli down --yes
  if [ -z "$report_dest" ] && [ -f "$report" ]; then
    local kept
    kept=$(mktemp "${TMPDIR:-/tmp}/churn-labs-e2e-report.XXXXXX") && cp "$report" "$kept" &&
      echo "e2e-real: the report is in $kept"
  fi
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# What reads JSON and churn-labs output for the report, in Node (jq may be absent).
cat >"$state/report.mjs" <<'NODE'
import { readFileSync } from 'node:fs';

const [what, file, code] = process.argv.slice(2);
const read = () => readFileSync(file ?? 0, 'utf8');
// One Markdown table cell: no pipes, no line breaks.
const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');

if (what === 'text') {
  // Standard input (an output's last lines) as one cell.
  console.log(cell(read().trim()));
} else if (what === 'exercises') {
  // `list --json`: {"exercises": [{"id","title","status","kind"}]}; kind is exercise or incident.
  for (const e of JSON.parse(read()).exercises) console.log(`${e.id}\t${e.kind ?? 'exercise'}`);
} else if (what === 'check') {
  // `check --json`: {"exercise","passed","steps":[{"id","title","passed","checks":[...]}]}.
  let result;
  try {
    result = JSON.parse(read());
  } catch {
    console.log(`check printed no JSON (exit code ${code})`);
    process.exit(1);
  }
  if (result.passed && code === '0') process.exit(0);
  const lines = [];
  if (result.error) lines.push(result.error);
  const failing = (result.steps ?? []).filter((s) => !s.passed);
  // As `check` shows it: every failing check of the first failing step, then the later steps'
  // titles only (their checks mostly fail for the same reason).
  if (failing.length > 0) {
    const [first, ...later] = failing;
    for (const c of first.checks.filter((c) => !c.passed))
      lines.push(`${first.title} › ${c.title}: ${c.message}`);
    if (later.length > 0) lines.push(`later steps not passed: ${later.map((s) => s.title).join('; ')}`);
  }
  if (result.passed !== (code === '0'))
    lines.push(`check exited ${code} but its JSON says passed: ${result.passed}`);
  if (lines.length === 0) lines.push(`check exited ${code} and names no failing check`);
  console.log(cell(lines.join('\n')));
  process.exit(1);
} else if (what === 'up-again') {
  // `up`'s step lines without a terminal: "<ok|skipped|FAILED> <title>[: <detail>] (<s>s)".
  const steps = [];
  for (const line of read().split('\n')) {
    const m = /^(ok|skipped|FAILED) (.*) \(\d+(?:\.\d+)?s\)$/.exec(line);
    if (m) steps.push({ outcome: m[1], text: m[2] });
  }
  const isImage = (s) => !/^Smoke test/i.test(s.text) && /\bimages?\b|\binto kind\b/i.test(s.text);
  const images = steps.filter(isImage);
  const redone = images.filter((s) => s.outcome !== 'skipped');
  // preflight and the smoke test run every time; anything else that did something changed the lab.
  const changed = steps.filter(
    (s) => s.outcome !== 'skipped' && !isImage(s) && !/^(Checking |Smoke test)/.test(s.text),
  );
  const problems = [];
  if (code !== '0') problems.push(`up exited ${code}`);
  if (images.length === 0) problems.push('its output names no image step (was the output format changed?)');
  for (const s of redone) problems.push(`${s.outcome}: ${s.text}`);
  for (const s of changed) problems.push(`changed: ${s.outcome} ${s.text}`);
  if (problems.length > 0) {
    console.log(cell(problems.join('\n')));
    process.exit(1);
  }
  console.log(cell(`${images.length} image steps, all skipped: nothing built or loaded again`));
} else {
  console.error(`report.mjs: unknown request ${what}`);
  process.exit(2);
}
NODE
helper() { node "$state/report.mjs" "$@"; }
row() { printf '| %s | %s | %s | %s | %s |\n' "$@" >>"$report"; }
tail_cell() { tail -n "${2:-8}" "$1" | helper text; }

driver_status=$(docker info --format '{{ .DriverStatus }}' 2>/dev/null)
driver=$(docker info --format '{{ .Driver }}' 2>/dev/null)
case "$driver_status" in
  *io.containerd.snapshotter.v1*) store="containerd image store (driver $driver)" ;;
  *) store="classic storage driver ($driver)" ;;
esac
{
  echo "# churn-labs end to end on kind"
  echo
  echo "- Image store: **$store**; docker info DriverStatus: \`$driver_status\`"
  echo "- Docker $(docker version --format '{{.Server.Version}}' 2>/dev/null), $(kind version 2>/dev/null), kubectl $(kubectl version --client 2>/dev/null | head -n 1 | sed 's/^Client Version: //'), Node $(node --version)"
  echo "- Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), started $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "| exercise | kind | result | seconds | failing checks |"
  echo "| --- | --- | --- | ---: | --- |"
} >"$report"
echo "e2e-real: image store: $store"

passed=0
failed=0
fail_row() {
  row "$@"
  failed=$((failed + 1))
}
finish() {
  {
    echo
    echo "**$passed passed, $failed failed**"
  } >>"$report"
  echo
  cat "$report"
  [ "$failed" -eq 0 ]
  exit
}

echo "=== churn-labs up"
started=$SECONDS
cli up 2>&1 | tee "$state/up.log"
code=${PIPESTATUS[0]}
if [ "$code" -ne 0 ]; then
  fail_row "churn-labs up" setup FAIL $((SECONDS - started)) "up exited $code:<br>$(tail_cell "$state/up.log")"
  finish
fi
row "churn-labs up" setup pass $((SECONDS - started)) ""
passed=$((passed + 1))

echo "=== churn-labs up, again: nothing may be built or loaded"
started=$SECONDS
cli up 2>&1 | tee "$state/up-again.log"
code=${PIPESTATUS[0]}
if verdict=$(helper up-again "$state/up-again.log" "$code"); then
  row "churn-labs up (again)" idempotent pass $((SECONDS - started)) "$verdict"
  passed=$((passed + 1))
else
  fail_row "churn-labs up (again)" idempotent FAIL $((SECONDS - started)) "$verdict"
fi

if ! cli list --json >"$state/list.json" || ! helper exercises "$state/list.json" >"$state/exercises.tsv" ||
  [ ! -s "$state/exercises.tsv" ]; then
  fail_row "churn-labs list" setup FAIL 0 "list --json named no exercises"
  finish
fi

while IFS=$'\t' read -r -u 3 id kind; do
  started=$SECONDS
  problems=()
  case "$kind" in
    exercise) ;;
    incident)
      echo "=== $id: reset to the healthy system, then the incident"
      cli reset "$id" --yes || problems+=("reset exited $?")
      cli incident "$id" --yes || problems+=("incident exited $?")
      ;;
    *)
      fail_row "$id" "$kind" FAIL 0 "unknown kind $kind: not run"
      continue
      ;;
  esac
  echo "=== $id: solve"
  cli solve "$id" --yes || problems+=("solve exited $?")
  echo "=== $id: check"
  cli check "$id" --json >"$state/check-$id.json" 2>"$state/check-$id.err"
  code=$?
  if ! messages=$(helper check "$state/check-$id.json" "$code"); then problems+=("$messages"); fi
  if [ ! -s "$state/check-$id.json" ] && [ -s "$state/check-$id.err" ]; then
    problems+=("$(tail_cell "$state/check-$id.err" 4)")
  fi
  if [ "${#problems[@]}" -eq 0 ]; then
    row "$id" "$kind" pass $((SECONDS - started)) ""
    passed=$((passed + 1))
  else
    joined=""
    for problem in "${problems[@]}"; do joined+="${joined:+<br>}$problem"; done
    fail_row "$id" "$kind" FAIL $((SECONDS - started)) "$joined"
  fi
done 3<"$state/exercises.tsv"

# Issue 16 on kind: a class of three on this cluster, each learner with their own kubeconfig (see
# scripts/e2e-classroom.sh). The course's namespace holds what every exercise left (an autoscaler,
# several API pods): the node's room goes to the class, as the cluster is deleted at the end anyway.
echo "=== classroom: a class of three on this cluster (scripts/e2e-classroom.sh)"
started=$SECONDS
if [ "${E2E_REUSE_CLUSTER:-}" != 1 ]; then
  kubectl --context kind-churn-labs delete namespace churn-mlops --ignore-not-found --timeout=300s
fi
E2E_CONTEXT=kind-churn-labs E2E_KUBECONFIG=$KUBECONFIG bash scripts/e2e-classroom.sh 2>&1 | tee "$state/classroom.log"
code=${PIPESTATUS[0]}
if [ "$code" -eq 0 ]; then
  row "classroom (3 learners)" classroom pass $((SECONDS - started)) ""
  passed=$((passed + 1))
else
  # Its FAIL lines (or its refusal), else its last lines.
  { grep '^e2e-classroom: ' "$state/classroom.log" | grep -v ': passed$' || tail -n 8 "$state/classroom.log"; } >"$state/classroom.fail"
  fail_row "classroom (3 learners)" classroom FAIL $((SECONDS - started)) "exit $code:<br>$(helper text <"$state/classroom.fail")"
fi

finish
