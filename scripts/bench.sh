#!/usr/bin/env bash
# Release-mode benchmarks against the local stack (started if needed, left running).
#   scripts/bench.sh             everything below
#   scripts/bench.sh clients     client micro benchmarks (AMQP publish+consume, Redis pipelines)
#   scripts/bench.sh celeriac    end-to-end: demo.add tasks/s with results stored, chords/s,
#                                round-trip latency, with the workers/demo.env pool (REPLICAS
#                                loan-worker processes; events off so only the task path is timed)
#   scripts/bench.sh loans       loans/s to a terminal state with the MongoDB updates, through the
#                                credit/property/decision pools of workers/*.env (scripts/pools.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=stack.sh
source "$ROOT/scripts/stack.sh"
stack_load_env
stack_install
stack_start
eval "$(stack_urls)"
what=${1:-all}
: "${BENCH_TASKS:=20000}" "${BENCH_CHORDS:=2000}" "${BENCH_ROUNDTRIPS:=1000}" "${BENCH_LOANS:=1000}"

for product in client-bench celeriac-bench loan-worker; do
  swift build -c release --product "$product" 2>&1 | { grep -vE '^(warning: prohibited flag|\[[0-9]+/[0-9]+\] )' || true; }
done
bin="$ROOT/.build/release"

if [ "$what" = all ] || [ "$what" = clients ]; then
  "$bin/client-bench" 2>/dev/null
fi

if [ "$what" = all ] || [ "$what" = celeriac ]; then
  # The pool definition, as compose and the launcher use it.
  set -a; source "$ROOT/workers/demo.env"; set +a
  export BENCH_QUEUE=$WORKER_QUEUES WORKER_EVENTS=0 LOG_LEVEL=warning
  logs="$ROOT/.run/bench"; mkdir -p "$logs"
  pids=()
  stop_workers() { local p; for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait "${pids[@]}" 2>/dev/null || true; }
  trap stop_workers EXIT
  for i in $(seq 1 "$REPLICAS"); do
    WORKER_HOSTNAME="bench-$i@localhost" "$bin/loan-worker" > "$logs/worker-$i.log" 2>&1 &
    pids+=($!)
  done
  sleep 1
  echo "end-to-end: $REPLICAS worker processes × concurrency $WORKER_CONCURRENCY, queue $BENCH_QUEUE"
  "$bin/celeriac-bench" tasks "$BENCH_TASKS"
  "$bin/celeriac-bench" chords "$BENCH_CHORDS"
  "$bin/celeriac-bench" latency "$BENCH_ROUNDTRIPS"
  for p in "${pids[@]}"; do echo "worker pid $p peak RSS: $(grep VmHWM /proc/$p/status | awk '{print $2, $3}')"; done
fi

if [ "$what" = all ] || [ "$what" = loans ]; then
  export POOLS_DIR="$ROOT/.run/bench/pools" LOAN_WORKER_BIN="$bin/loan-worker"
  trap '"$ROOT/scripts/pools.sh" stop' EXIT
  LOG_LEVEL=warning "$ROOT/scripts/pools.sh" start
  sleep 1
  echo "loans: pools from workers/*.env, $BENCH_LOANS sample loans"
  "$bin/celeriac-bench" loans "$BENCH_LOANS"
fi
