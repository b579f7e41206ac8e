#!/usr/bin/env bash
# Local worker pools from the definitions in workers/*.env, each process supervised.
#
#   scripts/pools.sh start [--scale N] [POOL...]   start the pools (default: credit property decision),
#                                                  REPLICAS processes each, or N with --scale
#   scripts/pools.sh stop [POOL...]                SIGTERM every process (they drain, up to their
#                                                  WORKER_DRAIN_TIMEOUT) and wait for them
#   scripts/pools.sh status                        one line per process
#
# Every replica runs under a small supervisor that restarts it (after 1 s, doubling up to 30 s)
# when it exits without being asked to, so a crashed or killed worker comes back; its
# unacknowledged tasks were already redelivered to the others by RabbitMQ. Logs and PID files
# live in .run/pools/ (POOLS_DIR). Processes are stopped by the PIDs recorded here, never by name.
# The servers' URLs come from the local stack (scripts/stack.sh); LOAN_WORKER_BIN picks the
# binary (default .build/release/loan-worker).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=stack.sh
source "$ROOT/scripts/stack.sh"
stack_load_env
RUN="${POOLS_DIR:-$ROOT/.run/pools}"
BIN="${LOAN_WORKER_BIN:-$ROOT/.build/release/loan-worker}"
DEFAULT_POOLS=(credit property decision)

die() { echo "pools: $*" >&2; exit 2; }

# supervise POOL INDEX: runs one replica until told to stop (SIGTERM), restarting it on exit.
supervise() {
  local pool=$1 index=$2 log="$RUN/$1-$2.log" child="" stopping="" delay=1 status
  trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM
  while [ -z "$stopping" ]; do
    ( set -a; source "$ROOT/workers/$pool.env"; set +a
      export WORKER_HOSTNAME="$pool-$index@$(hostname)"
      exec "$BIN" ) >>"$log" 2>&1 </dev/null &
    child=$!
    echo "$child" > "$RUN/$pool-$index.worker.pid"
    # A SIGTERM that came while restarting (before `child` named this worker) killed the old,
    # dead one: pass it on, or the stop would wait for this worker forever.
    [ -n "$stopping" ] && kill -TERM "$child" 2>/dev/null
    status=0; wait "$child" || status=$?
    # `wait` returns early when the trap runs: wait for the worker to finish draining.
    while kill -0 "$child" 2>/dev/null; do wait "$child" || status=$?; done
    [ -n "$stopping" ] && break
    echo "pools: $pool-$index exited with status $status; restarting in ${delay}s" >>"$log"
    sleep "$delay" & wait $! || true
    delay=$(( delay * 2 > 30 ? 30 : delay * 2 ))
  done
  rm -f "$RUN/$pool-$index.pid" "$RUN/$pool-$index.worker.pid"
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  local scale="" pools=()
  while [ $# -gt 0 ]; do
    case $1 in
      --scale) [ $# -ge 2 ] || die "--scale needs a number"; scale=$2; shift 2 ;;
      --scale=*) scale=${1#--scale=}; shift ;;
      -*) die "unknown option $1" ;;
      *) pools+=("$1"); shift ;;
    esac
  done
  [ -z "$scale" ] || [[ "$scale" =~ ^[1-9][0-9]*$ ]] || die "--scale must be a positive integer, got '$scale'"
  [ ${#pools[@]} -gt 0 ] || pools=("${DEFAULT_POOLS[@]}")
  [ -x "$BIN" ] || die "$BIN is missing: build it with 'swift build -c release --product loan-worker'"
  mkdir -p "$RUN"
  eval "$(stack_urls)"
  export AMQP_URL REDIS_URL MONGO_URL
  local pool replicas i
  for pool in "${pools[@]}"; do
    [ -f "$ROOT/workers/$pool.env" ] || die "no pool '$pool' (workers/$pool.env)"
    replicas=$scale
    [ -n "$replicas" ] || replicas=$(set -a; source "$ROOT/workers/$pool.env"; echo "${REPLICAS:-1}")
    for i in $(seq 1 "$replicas"); do
      if alive "$RUN/$pool-$i.pid"; then echo "pools: $pool-$i already running"; continue; fi
      supervise "$pool" "$i" 2>>"$RUN/$pool-$i.log" &
      echo $! > "$RUN/$pool-$i.pid"
    done
    echo "pools: $pool: $replicas process(es), logs in .run/pools/$pool-*.log"
  done
}

stop() {
  local pattern pids=() file
  [ -d "$RUN" ] || return 0
  if [ $# -eq 0 ]; then set -- "*"; fi
  for pattern in "$@"; do
    for file in "$RUN"/$pattern-[0-9]*.pid; do
      [[ "$file" == *.worker.pid ]] && continue
      alive "$file" || { rm -f "$file"; continue; }
      kill -TERM "$(cat "$file")"
      pids+=("$(cat "$file")")
    done
  done
  # The supervisors are not our children here: poll until they are gone.
  local pid
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  done
  echo "pools: stopped ${#pids[@]} process(es)"
}

status() {
  local file name
  for file in "$RUN"/*-[0-9]*.pid; do
    [ -e "$file" ] || { echo "pools: none running"; return 0; }
    [[ "$file" == *.worker.pid ]] && continue
    name=$(basename "$file" .pid)
    if alive "$file"; then
      echo "$name: running (supervisor $(cat "$file"), worker $(cat "$RUN/$name.worker.pid" 2>/dev/null || echo '?'))"
    else
      echo "$name: not running"
    fi
  done
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  status) status ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
