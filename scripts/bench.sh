#!/usr/bin/env bash
# Release-mode benchmarks on a private stack of their own (the .env ports + 2000, data under
# .run/bench-stack), started from empty data every time and stopped by PID at the end: a
# server that kept earlier runs' data measures that data too (a Redis holding millions of
# expiring results from earlier runs spends its CPU expiring them and forks gigabytes for
# AOF rewrites, which halved chords/s here).
#   scripts/bench.sh compare     THE comparison (issue 9): Celeriac vs Python Celery 5.7 workers vs the
#                                raw rabbitmq-c + hiredis limit, same run, same servers, BENCH_REPEATS
#                                repeats, medians; one table + bench/results/<time>.json (see
#                                scripts/bench-compare.sh for what each row measures and the knobs)
#   scripts/bench.sh ab A B      two loan-worker builds (or worker or server settings) alternated on fresh stacks
#                                (scripts/bench-ab.sh)
#   scripts/bench.sh             everything below
#   scripts/bench.sh clients     client micro benchmarks (AMQP publish+consume, Redis pipelines)
#   scripts/bench.sh celeriac    end-to-end: demo.add tasks/s with results stored, chords/s,
#                                round-trip latency, with the workers/demo.env pool (REPLICAS
#                                loan-worker processes, or BENCH_REPLICAS; events off so only the
#                                task path is timed)
#   scripts/bench.sh taskctl     `taskctl list` and `stats` over BENCH_RESULTS (100,000) stored results
#   scripts/bench.sh loans       loans/s to a terminal state with the MongoDB updates, through the
#                                credit/property/decision pools of workers/*.env (scripts/pools.sh)
#   scripts/bench.sh api         loan-api under wrk: POST /loans requests/s and latency percentiles
#                                (BENCH_API_DURATION, BENCH_API_CONNECTIONS); no workers run, the
#                                bench-api.* queues are purged afterwards
set -euo pipefail
# Checked before anything is built or started.
if [ -n "${BENCH_REPLICAS:-}" ] && ! [[ "$BENCH_REPLICAS" =~ ^[1-9][0-9]*$ ]]; then
  echo "bench: BENCH_REPLICAS must be a positive integer, got '$BENCH_REPLICAS'" >&2; exit 2
fi
if [ "${1:-}" = ab ]; then
  if [ $# != 3 ] || [ ! -x "$2" ] || [ ! -x "$3" ]; then
    echo "usage: scripts/bench.sh ab WORKER_A WORKER_B (two loan-worker executables)" >&2; exit 2
  fi
  if ! [[ "${AB_ROUNDS:-4}" =~ ^[1-9][0-9]*$ ]]; then echo "bench: AB_ROUNDS must be a positive integer" >&2; exit 2; fi
  for item in ${AB_ITEMS:-chords}; do
    case $item in tasks|tasks-ignored|chords) ;; *) echo "bench: unknown AB_ITEMS item '$item' (tasks, tasks-ignored, chords)" >&2; exit 2 ;; esac
  done
  for side in A B; do
    var="AB_BENCH_$side"
    if [ -n "${!var:-}" ]; then
      [ -x "${!var}" ] || { echo "bench: $var is not an executable: ${!var}" >&2; exit 2; }
      export "$var=$(realpath "${!var}")"
    fi
  done
  ab_workers=("$(realpath "$2")" "$(realpath "$3")")  # before the cd below
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export STACK_PORT_OFFSET="${STACK_PORT_OFFSET:-2000}"
export STACK_DIR="${STACK_DIR:-$ROOT/.run/bench-stack}"
# shellcheck source=stack.sh
source "$ROOT/scripts/stack.sh"
stack_load_env
stack_install
stack_stop
rm -rf "$STACK_DIR"
# Each step that starts processes sets its own EXIT trap: they all end with bench_exit.
bench_exit() { stack_stop; }
trap bench_exit EXIT

# Where the time goes (compare and ab): CPU ticks, user + system from /proc/PID/stat.
bench_ticks() {  # bench_ticks PID... -> their summed CPU ticks (a process that is gone counts 0)
  local pid t total=0
  for pid in "$@"; do
    # Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
    t=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
bench_cpu_snapshot() {  # bench_cpu_snapshot WORKER-PID... -> "BROKER REDIS WORKERS" ticks
  echo "$(bench_ticks "$(cat "$STACK_DIR/rabbitmq/beam.pid")") $(bench_ticks "$(cat "$STACK_DIR/redis/redis.pid")")" \
       "$(bench_ticks "$@")"
}

stack_start
eval "$(stack_urls)"
what=${1:-all}
: "${BENCH_TASKS:=20000}" "${BENCH_CHORDS:=2000}" "${BENCH_ROUNDTRIPS:=1000}" "${BENCH_LOANS:=1000}"

products="client-bench celeriac-bench loan-worker taskctl"
[ "$what" = api ] && products="loan-api"
[ "$what" = compare ] && products="celeriac-bench loan-worker raw-limit"
[ "$what" = ab ] && products="celeriac-bench"
[ "$what" = all ] && products="$products loan-api"
# The comparison (and the A/B, whose workers are usually its builds) measures what the image
# ships (Dockerfile): loan-worker with the Swift runtime linked statically, which leaves each
# process ~6 MB less RSS (no relocated shared Swift libraries).
link=(); { [ "$what" = compare ] || [ "$what" = ab ]; } && link=(--static-swift-stdlib)
for product in $products; do
  swift build -c release "${link[@]}" --product "$product" 2>&1 | { grep -vE '^(warning: prohibited flag|\[[0-9]+/[0-9]+\] )' || true; }
done
bin="$ROOT/.build/release"

if [ "$what" = ab ]; then
  # shellcheck source=bench-ab.sh
  source "$ROOT/scripts/bench-ab.sh"
  ab_main "${ab_workers[@]}"
  exit 0
fi

if [ "$what" = compare ]; then
  # shellcheck source=bench-compare.sh
  source "$ROOT/scripts/bench-compare.sh"
  compare_main
  exit 0
fi

if [ "$what" = all ] || [ "$what" = clients ]; then
  "$bin/client-bench" 2>/dev/null
fi

if [ "$what" = all ] || [ "$what" = celeriac ]; then
  # The pool definition, as compose and the launcher use it.
  set -a; source "$ROOT/workers/demo.env"; set +a
  REPLICAS=${BENCH_REPLICAS:-$REPLICAS}
  export BENCH_QUEUE=$WORKER_QUEUES WORKER_EVENTS=0 LOG_LEVEL=warning
  logs="$ROOT/.run/bench"; mkdir -p "$logs"
  pids=()
  stop_workers() { local p; for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait "${pids[@]}" 2>/dev/null || true; }
  trap 'stop_workers; bench_exit' EXIT
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
  stop_workers; trap bench_exit EXIT
fi

if [ "$what" = all ] || [ "$what" = loans ]; then
  export POOLS_DIR="$ROOT/.run/bench/pools" LOAN_WORKER_BIN="$bin/loan-worker"
  trap '"$ROOT/scripts/pools.sh" stop; bench_exit' EXIT
  LOG_LEVEL=warning "$ROOT/scripts/pools.sh" start
  sleep 1
  echo "loans: pools from workers/*.env, $BENCH_LOANS sample loans"
  "$bin/celeriac-bench" loans "$BENCH_LOANS"
  "$ROOT/scripts/pools.sh" stop; trap bench_exit EXIT
fi

if [ "$what" = all ] || [ "$what" = taskctl ]; then
  : "${BENCH_RESULTS:=100000}"
  # Celery-format results under a key prefix of their own (Redis db 1), written by pipeline.
  bench_redis="${REDIS_URL%/*}/1"
  python3 - "$BENCH_RESULTS" <<'PY' | redis-cli -p "$REDIS_PORT_EFFECTIVE" -a "$REDIS_PASS" --no-auth-warning -n 1 --pipe >/dev/null
import json, sys, datetime
n = int(sys.argv[1]); out = sys.stdout
names = ["demo.add", "loan.credit_check", "loan.property_check", "loan.decision"]
states = ["SUCCESS"] * 8 + ["FAILURE", "RETRY"]
base = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
def resp(*args):
    parts = [a.encode() for a in args]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)
buf = [resp("FLUSHDB")]
for i in range(n):
    tid = "bench-%08d" % i
    meta = {"status": states[i % 10], "result": i, "traceback": None, "children": [], "task_id": tid,
            "date_done": (base + datetime.timedelta(seconds=i)).isoformat(), "name": names[i % 4],
            "args": [i, 1], "kwargs": {}, "worker": "bench@localhost", "retries": 0, "queue": "demo"}
    buf.append(resp("SET", "celery-task-meta-" + tid, json.dumps(meta)))
    if len(buf) >= 5000:
        sys.stdout.buffer.write(b"".join(buf)); buf = []
sys.stdout.buffer.write(b"".join(buf))
PY
  echo "taskctl: $BENCH_RESULTS results stored in Redis db 1"
  for args in "list --limit 20" "list --state FAILURE --limit 20" "stats"; do
    for run in 1 2 3; do
      start=$EPOCHREALTIME
      "$bin/taskctl" $args --redis "$bench_redis" > /dev/null
      end=$EPOCHREALTIME
      echo "{\"benchmark\": \"taskctl $args\", \"results\": $BENCH_RESULTS, \"run\": $run, \"seconds\": $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b-a}')}"
    done
  done
  redis-cli -p "$REDIS_PORT_EFFECTIVE" -a "$REDIS_PASS" --no-auth-warning -n 1 FLUSHDB >/dev/null
fi

if [ "$what" = all ] || [ "$what" = api ]; then
  command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)" >&2; exit 2; }; }
  port=$(( 18080 + ${STACK_PORT_OFFSET:-0} ))
  logs="$ROOT/.run/bench"; mkdir -p "$logs"
  API_PORT=$port JWT_SECRET="bench-secret-$(date +%s)-0123456789abcdef" BCRYPT_COST=10 LOAN_QUEUE_PREFIX=bench-api \
    LOG_LEVEL=warning "$bin/loan-api" > "$logs/loan-api.log" 2>&1 &
  api_pid=$!
  stop_api() { kill -TERM "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true
               for q in credit property decision; do stack_rabbitmqctl -q purge_queue -p "${RABBITMQ_VHOST:-celeriac}" "bench-api.$q" >/dev/null 2>&1 || true; done
             }
  trap 'stop_api; bench_exit' EXIT
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  email="bench-$(date +%s%N)@example.com"
  curl -sf -X POST "http://127.0.0.1:$port/accounts" -d "{\"email\": \"$email\", \"password\": \"bench password\"}" >/dev/null
  TOKEN=$(curl -sf -X POST "http://127.0.0.1:$port/auth/login" -d "{\"email\": \"$email\", \"password\": \"bench password\"}" \
          | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
  export TOKEN
  wrk -t2 -c"${BENCH_API_CONNECTIONS:-32}" -d"${BENCH_API_DURATION:-20s}" --latency -s "$ROOT/bench/api/post-loans.lua" \
    "http://127.0.0.1:$port/loans"
fi
