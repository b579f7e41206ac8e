# Sourced by scripts/bench.sh for `scripts/bench.sh compare` (the stack is up, the release
# products are built, AMQP_URL/REDIS_URL/MONGO_URL are exported, $bin is .build/release).
#
# Celeriac workers vs Python Celery 5.7 workers vs the raw limit, measured in the same run on
# the same RabbitMQ and Redis, BENCH_REPEATS times (interleaved: raw, Celeriac, Python in every
# repeat), medians reported. One table on stdout; everything in bench/results/<UTC time>.json
# and bench/results/latest.json.
#
# The producer is always Celeriac's `celeriac-bench` (Celery protocol v2 as Python's `apply_async`
# sends it, less the optional headers Python sends at their default value: null, 0 or empty, which
# Celery's worker reads as those same defaults), so between the Celeriac and the Python rows the
# only variable is the worker.
#
# Knobs (environment):
#   BENCH_REPEATS=3  BENCH_TASKS=20000  BENCH_CHORDS=2000  BENCH_ROUNDTRIPS=1000  BENCH_LOANS=300
#   BENCH_SIDES="raw celeriac python"   BENCH_ITEMS="tasks ignored chords latency"  BENCH_COMPARE_LOANS=1
#   Worker processes: REPLICAS loan-worker processes from workers/demo.env on the Celeriac side;
#   one `celery worker -P prefork -c REPLICAS` on the Python side (REPLICAS pool processes + its
#   main process).

: "${BENCH_REPEATS:=3}" "${BENCH_SIDES:=raw celeriac python}" "${BENCH_ITEMS:=tasks ignored chords latency}"
: "${BENCH_COMPARE_LOANS:=1}" "${BENCH_COMPARE_LOANS_COUNT:=300}"

compare_main() {
  local stamp results jsonl logs
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  results="$ROOT/bench/results"; logs="$ROOT/.run/bench/compare-$stamp"
  mkdir -p "$results" "$logs"
  jsonl="$logs/runs.jsonl"; : > "$jsonl"

  # Python Celery, as scripts/test.sh installs it.
  stack_celery_install
  local venv="$CELERY_VENV"

  # The Celeriac pool definition, as compose and the launcher use it.
  local CQUEUE REPLICAS_N CONCURRENCY PREFETCH
  CQUEUE=$(set -a; source "$ROOT/workers/demo.env"; echo "$WORKER_QUEUES")
  REPLICAS_N=$(set -a; source "$ROOT/workers/demo.env"; echo "$REPLICAS")
  CONCURRENCY=$(set -a; source "$ROOT/workers/demo.env"; echo "$WORKER_CONCURRENCY")
  PREFETCH=$(set -a; source "$ROOT/workers/demo.env"; echo "${WORKER_PREFETCH:-}")
  local PYQUEUE=bench.py

  _emit() {  # _emit SIDE REPEAT JSON-OBJECT-FROM-A-BENCH
    printf '{"side": "%s", "repeat": %s, "loadavg": "%s", "data": %s}\n' "$1" "$2" "$(cut -d' ' -f1-3 /proc/loadavg)" "$3" >> "$jsonl"
  }
  _bench() {  # _bench QUEUE ARGS... (celeriac-bench on QUEUE; prints its JSON line)
    local queue=$1 rc=0; shift
    BENCH_QUEUE=$queue "$bin/celeriac-bench" "$@" 2>>"$logs/celeriac-bench.err" || rc=$?
    if [ $rc != 0 ]; then
      echo "compare: celeriac-bench $* on $queue failed (exit $rc); the end of ${logs#"$ROOT"/}/celeriac-bench.err:" >&2
      tail -n 3 "$logs/celeriac-bench.err" >&2
    fi
    return $rc
  }
  _mem() {  # _mem PID... -> JSON list of {pid, role, rss_kb, hwm_kb}
    local first=1 pid role
    printf '['
    for pid in "$@"; do
      role=${pid#*:}; pid=${pid%%:*}
      [ -r "/proc/$pid/status" ] || continue
      [ $first = 1 ] || printf ', '
      first=0
      printf '{"pid": %s, "role": "%s", "rss_kb": %s, "hwm_kb": %s}' "$pid" "$role" \
        "$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")" "$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")"
    done
    printf ']'
  }
  _stop() {  # _stop PID...: SIGTERM (graceful), wait up to 40 s, a second SIGTERM (immediate), then SIGKILL
    local pid i
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
      for ((i = 0; i < 400; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; sleep 2; fi
      if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
      wait "$pid" 2>/dev/null || true
    done
  }
  # The workers of the side being measured; a failure stops them on the way out (set -e).
  COMPARE_WORKERS=()
  trap '[ ${#COMPARE_WORKERS[@]} = 0 ] || { echo "compare: stopping the workers of the failed run" >&2; _stop "${COMPARE_WORKERS[@]}"; }; bench_exit' EXIT

  # Item 2's end: RabbitMQ's own count of ready + unacknowledged messages, polled every 2 ms on
  # the node (one rabbitmqctl eval, started before sending). Once the producer has written
  # SENT (every message confirmed), it prints the wall-clock microsecond at which that count is 0.
  _drain_watch() {  # _drain_watch QUEUE WATCHING-MARKER SENT-MARKER
    stack_rabbitmqctl -q eval "
      Q = rabbit_misc:r(<<\"$RMQ_VHOST\">>, queue, <<\"$1\">>),
      Count = fun() -> case rabbit_amqqueue:lookup(Q) of
                         {ok, A} -> proplists:get_value(messages, rabbit_amqqueue:info(A, [messages]), 0);
                         _ -> 0 end end,
      Deadline = erlang:monotonic_time(millisecond) + 900000,
      file:write_file(\"$2\", <<\"watching\">>),
      Loop = fun L() ->
               Sent = filelib:is_regular(\"$3\"),
               N = Count(), T = os:system_time(microsecond),
               Late = erlang:monotonic_time(millisecond) > Deadline,
               if Late -> {timeout, T};
                  Sent andalso N =:= 0 -> {drained, T};
                  true -> timer:sleep(2), L() end end,
      Loop()."
  }

  # Where the time goes: CPU ticks of the broker, Redis and the side's worker processes around
  # each throughput item (bench_cpu_snapshot); the producer reports its own.
  _cpu_snapshot() {  # -> "BROKER REDIS WORKERS" ticks
    # shellcheck disable=SC2046  # one word per worker pid
    bench_cpu_snapshot $(_worker_pids)
  }
  _cpu_record() {  # _cpu_record ITEM "BEFORE" "AFTER" BENCH-JSON -> the item's CPU as a JSON object
    python3 -c '
import json, sys
item, before, after, data = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), json.loads(sys.argv[4])
ticks = [int(a) - int(b) for a, b in zip(after, before)]
print(json.dumps({"benchmark": "cpu_" + item, "units": data["count"], "seconds": data.get("seconds"),
                  "clk_tck": int(sys.argv[5]), "broker_ticks": ticks[0], "redis_ticks": ticks[1],
                  "workers_ticks": ticks[2], "producer_cpu_seconds": data.get("producer_cpu_seconds"),
                  "process_cpu_seconds": data.get("process_cpu_seconds")}))' \
      "$1" "$2" "$3" "$4" "$(getconf CLK_TCK)"
  }

  # The raw loop's CPU is recorded like a side's (cpu_raw_<results|ignored>_<consumers>): the
  # servers' ticks around it and the raw-limit process's own user + system time (bash's `time`),
  # its producer and consumers together, as process_cpu_seconds.
  _raw_limit() {  # _raw_limit RESULTS(1|0) CONSUMERS -> raw-limit's JSON line with process_cpu_seconds
    local out="$logs/raw-limit.out" cpu rc=0 TIMEFORMAT='%U %S'
    cpu=$( { time RAW_RESULTS=$1 RAW_CONSUMERS=$2 RAW_QUEUE=bench.raw "$bin/raw-limit" "$BENCH_TASKS" \
               > "$out" 2>>"$logs/raw-limit.err"; } 2>&1 ) || rc=$?
    if [ $rc != 0 ]; then
      echo "compare: raw-limit failed (exit $rc); the end of ${logs#"$ROOT"/}/raw-limit.err:" >&2
      tail -n 3 "$logs/raw-limit.err" >&2
      return $rc
    fi
    python3 -c 'import json, sys
d = json.loads(sys.argv[1]); d["process_cpu_seconds"] = sum(map(float, sys.argv[2].split())); print(json.dumps(d))' \
      "$(cat "$out")" "$cpu"
  }

  _items() {  # _items SIDE REPEAT QUEUE
    local side=$1 r=$2 queue=$3 item line cpu_before
    for item in $BENCH_ITEMS; do
      _bench "$queue" purge 0 >/dev/null
      cpu_before=$(_cpu_snapshot)
      case $item in
        tasks)   line=$(_bench "$queue" tasks "$BENCH_TASKS") ;;
        chords)  line=$(_bench "$queue" chords "$BENCH_CHORDS") ;;
        latency) line=$(_bench "$queue" latency "$BENCH_ROUNDTRIPS") ;;
        ignored)
          local marker="$logs/drain-$side-$r.marker" sent="$logs/drain-$side-$r.sent" out="$logs/drain-$side-$r.out" watcher i
          rm -f "$marker" "$sent"
          _drain_watch "$queue" "$marker" "$sent" > "$out" 2>&1 &
          watcher=$!
          for ((i = 0; i < 600; i++)); do [ -f "$marker" ] && break; sleep 0.1; done
          line=$(BENCH_SENT_MARKER=$sent _bench "$queue" tasks-ignored "$BENCH_TASKS")
          wait "$watcher" || true
          local drained start
          drained=$(grep -o 'drained,[0-9]*' "$out" | cut -d, -f2 || true)
          start=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["start_epoch"])' "$line")
          if [ -n "$drained" ]; then
            line=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1]); s = int(sys.argv[2]) / 1e6 - d["start_epoch"]
d.update(seconds=s, tasks_per_second=d["count"] / s); print(json.dumps(d))' "$line" "$drained")
          else
            echo "compare: drain watch failed: $(cat "$out")" >&2
          fi ;;
      esac
      echo "  $side: $line" >&2
      _emit "$side" "$r" "$line"
      if [ "$item" != latency ]; then
        _emit "$side" "$r" "$(_cpu_record "$item" "$cpu_before" "$(_cpu_snapshot)" "$line")"
      fi
      if [ "$item" = tasks ]; then
        _emit "$side" "$r" "{\"benchmark\": \"memory_after_tasks\", \"processes\": $(_mem_now)}"
      fi
    done
  }

  local r
  for ((r = 1; r <= BENCH_REPEATS; r++)); do
    echo "compare: repeat $r/$BENCH_REPEATS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    local side
    for side in $BENCH_SIDES; do
      case $side in
        raw)
          # With results (item 1's limit) and without Redis (item 2's limit), each with one
          # consumer thread and with REPLICAS (one per worker process, the workers' shape): the
          # broker spends less per message on a queue with fewer consumers, so either can be the
          # faster, and the limit of a repeat is the faster of the two (report.py).
          local line with_results consumers cpu_before
          _worker_pids() { :; }
          for with_results in 1 0; do
            for consumers in $( (echo 1; echo "$REPLICAS_N") | sort -un); do
              cpu_before=$(_cpu_snapshot)
              line=$(_raw_limit "$with_results" "$consumers")
              echo "  raw: $line" >&2
              _emit raw "$r" "$line"
              _emit raw "$r" "$(_cpu_record "raw_$([ "$with_results" = 1 ] && echo results || echo ignored)_$consumers" \
                                 "$cpu_before" "$(_cpu_snapshot)" "$line")"
            done
          done ;;
        celeriac)
          local pids=() roles=() i
          for ((i = 1; i <= REPLICAS_N; i++)); do
            (set -a; source "$ROOT/workers/demo.env"; set +a
             export WORKER_EVENTS=0 LOG_LEVEL=warning WORKER_HOSTNAME="bench-$i@localhost"
             exec "$bin/loan-worker") > "$logs/celeriac-$r-$i.log" 2>&1 &
            pids+=($!); roles+=("$!:worker")
          done
          COMPARE_WORKERS=("${pids[@]}")
          _bench "$CQUEUE" wait-consumers "$REPLICAS_N" >/dev/null
          sleep 1
          _mem_now() { _mem "${roles[@]}"; }
          _worker_pids() { echo "${pids[@]}"; }
          _emit celeriac "$r" "{\"benchmark\": \"memory_idle\", \"processes\": $(_mem_now)}"
          _items celeriac "$r" "$CQUEUE"
          _emit celeriac "$r" "{\"benchmark\": \"memory_end\", \"processes\": $(_mem_now)}"
          _stop "${pids[@]}"; COMPARE_WORKERS=() ;;
        python)
          PYTHONPATH="$ROOT/bench/python" BENCH_PY_QUEUE=$PYQUEUE \
            "$venv/bin/celery" -A bench_app worker -P prefork -c "$REPLICAS_N" -Q "$PYQUEUE" \
            -n "py-bench@localhost" --without-gossip --without-mingle --without-heartbeat -l WARNING \
            > "$logs/python-$r.log" 2>&1 &
          local main=$!
          COMPARE_WORKERS=("$main")
          _bench "$PYQUEUE" wait-consumers 1 >/dev/null
          sleep 2
          _py_roles() { local c; echo "$main:main"; for c in $(ps --ppid "$main" -o pid= 2>/dev/null); do echo "$c:child"; done; }
          # shellcheck disable=SC2046
          _mem_now() { _mem $(_py_roles); }
          _worker_pids() { _py_roles | cut -d: -f1; }
          _emit python "$r" "{\"benchmark\": \"memory_idle\", \"processes\": $(_mem_now)}"
          _items python "$r" "$PYQUEUE"
          _emit python "$r" "{\"benchmark\": \"memory_end\", \"processes\": $(_mem_now)}"
          _stop "$main"; COMPARE_WORKERS=() ;;
      esac
    done
  done

  # Item 5: the loan pipeline (Celeriac only: Python has no loan tasks), once per run.
  if [ "$BENCH_COMPARE_LOANS" = 1 ]; then
    export POOLS_DIR="$ROOT/.run/bench/pools" LOAN_WORKER_BIN="$bin/loan-worker"
    LOG_LEVEL=warning "$ROOT/scripts/pools.sh" start >&2
    sleep 1
    local line
    line=$("$bin/celeriac-bench" loans "$BENCH_COMPARE_LOANS_COUNT" 2>>"$logs/celeriac-bench.err") || true
    echo "  celeriac: $line" >&2
    [ -n "$line" ] && _emit celeriac 1 "$line"
    "$ROOT/scripts/pools.sh" stop >&2
  fi

  python3 "$ROOT/bench/python/report.py" "$jsonl" "$results/$stamp.json" \
    --meta "repeats=$BENCH_REPEATS" "tasks=$BENCH_TASKS" "chords=$BENCH_CHORDS" "roundtrips=$BENCH_ROUNDTRIPS" \
           "loans=$BENCH_COMPARE_LOANS_COUNT" "celeriac_processes=$REPLICAS_N" "celeriac_concurrency=$CONCURRENCY" \
           "celeriac_prefetch=${PREFETCH:-default}" "python_pool=prefork -c $REPLICAS_N" \
           "commit=$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo +dirty)"
  cp "$results/$stamp.json" "$results/latest.json"
  trap bench_exit EXIT
  echo "compare: wrote bench/results/$stamp.json (and latest.json); raw runs in ${logs#"$ROOT"/}" >&2
}
