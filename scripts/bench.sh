#!/usr/bin/env bash
# Release-mode benchmarks against the local stack (started if needed, left running).
#   scripts/bench.sh            client micro benchmarks (AMQP publish+consume, Redis pipeline)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=stack.sh
source "$ROOT/scripts/stack.sh"
stack_load_env
stack_install
stack_start
eval "$(stack_urls)"
swift build -c release --product client-bench 2>&1 | { grep -vE '^(warning: prohibited flag|\[[0-9]+/[0-9]+\] )' || true; }
"$ROOT/.build/release/client-bench" "$@"
