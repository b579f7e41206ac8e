#!/usr/bin/env bash
# The main job on a fresh machine: installs what is missing, starts the local stack
# (RabbitMQ, Redis, SecantusDB on the .env ports, data under .run/stack), builds in release
# mode, checks every server with the smoke program, starts the three worker pools
# (workers/*.env, supervised, scripts/pools.sh) and sends a batch of sample loans through the
# evaluation chord, printing each outcome and schedule summary. Fails if any loan ends wrong.
# The pools are stopped at the end; the stack is left running (`scripts/stack.sh stop`).
#
#   scripts/demo.sh [--scale N] [--count LOANS]
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

scale=2 count=16
while [ $# -gt 0 ]; do
  case $1 in
    --scale) scale=${2:?--scale needs a number}; shift 2 ;;
    --count) count=${2:?--count needs a number}; shift 2 ;;
    *) echo "demo: unknown argument $1 (usage: scripts/demo.sh [--scale N] [--count LOANS])" >&2; exit 2 ;;
  esac
done

for product in celeriac-smoke loan-worker loan-demo; do
  swift build -c release --product "$product" 2>&1 | { grep -vE '^(warning: prohibited flag|\[[0-9]+/[0-9]+\] )' || true; }
done
"$ROOT/.build/release/celeriac-smoke"

echo
trap '"$ROOT/scripts/pools.sh" stop' EXIT
"$ROOT/scripts/pools.sh" start --scale "$scale"
"$ROOT/.build/release/loan-demo" --count "$count"

echo
echo "demo: the stack is still running (scripts/stack.sh status | stop)."
