# shellcheck shell=bash
# What the end-to-end scripts (scripts/e2e-*.sh) share. Each sources it from the repository's root
# after setting e2e_name, the name its lines start with.
: "${e2e_name:?set e2e_name before sourcing scripts/e2e-lib.sh}"

# Says why the run cannot happen here, and ends it: exit 0.
skip() {
  echo "$e2e_name: skipped: $1"
  exit 0
}

# Skips the run without kind, docker or a Docker daemon. $1 is said after "kind is not installed",
# $2 after "the Docker daemon is not running".
skip_without_kind_and_docker() {
  command -v kind >/dev/null 2>&1 || skip "kind is not installed$1."
  command -v docker >/dev/null 2>&1 || skip "docker is not installed."
  # `docker info` may exit 0 even when the daemon is down; the server version is what tells.
  [ -n "$(docker info --format '{{.ServerVersion}}' 2>/dev/null)" ] || skip "the Docker daemon is not running$2."
}

# Builds the CLI if it is not built.
need_build() {
  [ -f dist/cli.js ] || npm run build || exit 1
}

# A temporary state folder ($CHURN_LABS_HOME, its prefix $1) and kubeconfig in it, so that the
# user's own ~/.kube/config and progress are never touched; no colours.
temporary_home() {
  need_build
  CHURN_LABS_HOME="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
  export CHURN_LABS_HOME
  export KUBECONFIG="$CHURN_LABS_HOME/kubeconfig"
  export NO_COLOR=1
}

# The built CLI, without a terminal.
cli() { node dist/cli.js "$@" </dev/null; }
