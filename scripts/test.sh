#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing (Debian packages,
# SecantusDB), starts a private stack on its own ports (the .env ports + 1000, data under
# .run/test-stack, wiped first), builds, runs every test against the real servers, and stops
# the servers by PID whatever happens. Exits non-zero when anything fails.
#
#   scripts/test.sh                  everything
#   scripts/test.sh --filter REGEX   only matching tests (passed to `swift test`)
set -euo pipefail
trap 'echo "test: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export STACK_PORT_OFFSET="${STACK_PORT_OFFSET:-1000}"
export STACK_DIR="${STACK_DIR:-$ROOT/.run/test-stack}"
# shellcheck source=stack.sh
source "$ROOT/scripts/stack.sh"
stack_load_env

command -v swift >/dev/null || { echo "test: swift is not on PATH (Swift 6 toolchain required)" >&2; exit 2; }

started=$(date +%s)
stack_install
# Python Celery 5.7: the reference implementation the interoperability tests run against.
stack_celery_install
# schemathesis: the property-based API fuzzer the loan-api tests run against /openapi.json.
SCHEMATHESIS_VENV="$ROOT/.run/venv-schemathesis"
[ -x "$SCHEMATHESIS_VENV/bin/schemathesis" ] || stack_pip_venv "$SCHEMATHESIS_VENV" "schemathesis==4.32.5"
export SCHEMATHESIS="$SCHEMATHESIS_VENV/bin/schemathesis"
# Headless Chromium, its WebDriver and selenium: the web front end's browser tests (Tests/Browser).
stack_apt_install chromium chromium-driver
BROWSER_VENV="$ROOT/.run/venv-browser"
"$BROWSER_VENV/bin/python" -c 'import selenium' 2>/dev/null || stack_pip_venv "$BROWSER_VENV" "selenium==4.38.0"
export BROWSER_PYTHON="$BROWSER_VENV/bin/python"
# Offline validators of docker-compose.yml, the Dockerfile and deploy/k8s (DeployTests), pinned
# in deploy/validators/; exports DOCKER_COMPOSE, HADOLINT, KUBERNETES_VALIDATE, DEPLOY_PYTHON.
# shellcheck source=deploy-tools.sh
source "$ROOT/scripts/deploy-tools.sh"
deploy_tools_install
# A test stack always starts from empty data so one run cannot influence the next.
stack_stop
rm -rf "$STACK_DIR"
trap 'stack_stop' EXIT
stack_start
eval "$(stack_urls)"
echo "test: stack ready after $(( $(date +%s) - started ))s" >&2

# pipefail keeps the build's exit status; the filter only drops progress noise.
swift build --build-tests 2>&1 | { grep -vE '^(warning: prohibited flag|\[[0-9]+/[0-9]+\] )' || true; }

status=0
if [ $# -gt 0 ]; then
  swift test --skip-build "$@" || status=$?
else
  # Tests that restart servers, and the browser tests (too heavy to share two cores), run
  # alone, after everything else.
  serial='Disruptive|BrowserTests'
  swift test --skip-build --skip "$serial" || status=$?
  swift test --skip-build --no-parallel --filter "$serial" || status=$?
fi
echo "test: finished in $(( $(date +%s) - started ))s with status $status" >&2
exit $status
