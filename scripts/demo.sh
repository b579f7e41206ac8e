#!/usr/bin/env bash
# The main job on a fresh machine: installs what is missing, starts the local stack
# (RabbitMQ, Redis, SecantusDB on the .env ports, data under .run/stack), builds, and runs the
# end-to-end program. The stack is left running for you; `scripts/stack.sh stop` stops it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=stack.sh
source "$ROOT/scripts/stack.sh"
stack_load_env
command -v swift >/dev/null || { echo "demo: swift is not on PATH (Swift 6 toolchain required)" >&2; exit 2; }

stack_install
stack_start
eval "$(stack_urls)"

swift build -c release --product celeriac-smoke 2>&1 | { grep -vE '^(warning: prohibited flag|\[[0-9]+/[0-9]+\] )' || true; }
"$ROOT/.build/release/celeriac-smoke"

echo
echo "demo: the stack is still running (scripts/stack.sh status | stop)."
