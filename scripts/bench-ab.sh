# Sourced by scripts/bench.sh for `scripts/bench.sh ab WORKER_A WORKER_B` (the bench stack is
# up, the release celeriac-bench is built, $bin is .build/release).
#
# A/B of two loan-worker builds (or one build with two environments) on the end-to-end items,
# for changes smaller than the machine's own swing between runs (±8–15 % here): every round
# starts the bench stack (the .env ports + 2000, .run/bench-stack) from empty data, runs both
# sides in turn — A first in odd rounds, B first in even ones — and stops it by PID.
#
#   scripts/bench.sh ab WORKER_A WORKER_B
#     WORKER_A, WORKER_B   loan-worker executables (e.g. copies of .build/release/loan-worker
#                          from two commits); the same path twice to compare environments
#   AB_ENV_A, AB_ENV_B     extra environment of each side's workers ("NAME=value ...")
#   AB_BENCH_ENV_A, AB_BENCH_ENV_B
#                          extra environment of each side's producer (celeriac-bench)
#   AB_BENCH_A, AB_BENCH_B each side's producer executable (default this tree's release
#                          celeriac-bench), to compare producer builds
#   AB_STACK_ENV_A, AB_STACK_ENV_B
#                          extra environment of each side's stack (shell words, evaluated:
#                          'RABBITMQ_EXTRA_CONF="classic_queue.default_version = 2"',
#                          RABBITMQ_SCHEDULER_BIND_TYPE=u); with either set, every side runs
#                          on a stack of its own, started from empty data, instead of sharing
#                          the round's
#   AB_ROUNDS=4            rounds;  AB_ITEMS="chords chords"  items per side per round
#                          (tasks = demo.add with results, N=20,000; tasks-ignored = the same
#                          with results ignored; chords, M=2,000)
#
# Per item and side: the rate and the CPU µs per unit of RabbitMQ, Redis and the side's two
# worker processes (/proc ticks around the item) and of the producer (its own getrusage); at
# the end, each side's means. The producer is this tree's release celeriac-bench, the same
# for both sides unless AB_BENCH_A / AB_BENCH_B name others (AB_BENCH_ENV_* can still set it
# up differently).
ab_main() {  # ab_main WORKER_A WORKER_B (absolute paths, checked by bench.sh before anything is built)
  : "${AB_ROUNDS:=4}" "${AB_ITEMS:=chords chords}" "${AB_ENV_A:=}" "${AB_ENV_B:=}"
  : "${AB_STACK_ENV_A:=}" "${AB_STACK_ENV_B:=}" "${AB_BENCH_ENV_A:=}" "${AB_BENCH_ENV_B:=}"
  : "${AB_BENCH_A:=$bin/celeriac-bench}" "${AB_BENCH_B:=$bin/celeriac-bench}"
  local worker_a worker_b bench logs queue hz results round order side worker extra stack_extra bench_extra i item n
  local before after out
  worker_a=$1; worker_b=$2
  logs="$ROOT/.run/bench/ab-$(date -u +%Y%m%dT%H%M%SZ)"; mkdir -p "$logs"
  queue=$(set -a; source "$ROOT/workers/demo.env"; echo "$WORKER_QUEUES")

  pids=()
  stop_workers() {
    [ ${#pids[@]} = 0 ] && return 0
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    pids=()
  }
  trap 'stop_workers; bench_exit' EXIT
  hz=$(getconf CLK_TCK)
  results="$logs/results.txt"; : > "$results"

  fresh_stack() {  # fresh_stack "NAME=value ..." (the stack's extra environment)
    stack_stop >&2; rm -rf "$STACK_DIR"
    (if [ -n "$1" ]; then eval "export $1"; fi; stack_start) >&2
    eval "$(stack_urls)"
  }
  for ((round = 1; round <= AB_ROUNDS; round++)); do
    if [ -z "$AB_STACK_ENV_A$AB_STACK_ENV_B" ]; then fresh_stack ""; fi
    order="A B"; [ $((round % 2)) = 0 ] && order="B A"
    for side in $order; do
      worker=$worker_a; extra=$AB_ENV_A; stack_extra=$AB_STACK_ENV_A; bench_extra=$AB_BENCH_ENV_A; bench=$AB_BENCH_A
      [ "$side" = B ] && { worker=$worker_b; extra=$AB_ENV_B; stack_extra=$AB_STACK_ENV_B; bench_extra=$AB_BENCH_ENV_B
                           bench=$AB_BENCH_B; }
      if [ -n "$AB_STACK_ENV_A$AB_STACK_ENV_B" ]; then fresh_stack "$stack_extra"; fi
      for i in 1 2; do
        # shellcheck disable=SC2086  # AB_ENV_* is a list of NAME=value words
        (set -a; source "$ROOT/workers/demo.env"; set +a
         export WORKER_EVENTS=0 LOG_LEVEL=warning WORKER_HOSTNAME="ab-$side-$i@localhost"
         exec env $extra "$worker") > "$logs/worker-$round-$side-$i.log" 2>&1 &
        pids+=($!)
      done
      BENCH_QUEUE=$queue "$bench" wait-consumers 2 >/dev/null
      sleep 1
      BENCH_QUEUE=$queue "$bench" tasks 5000 >/dev/null  # warm-up: connections, queues, allocator
      for item in $AB_ITEMS; do
        n=20000; [ "$item" = chords ] && n=2000
        BENCH_QUEUE=$queue "$bench" purge 0 >/dev/null
        before=$(bench_cpu_snapshot "${pids[@]}")
        # shellcheck disable=SC2086  # AB_BENCH_ENV_* is a list of NAME=value words
        out=$(env $bench_extra BENCH_QUEUE="$queue" "$bench" "$item" "$n")
        after=$(bench_cpu_snapshot "${pids[@]}")
        python3 - "$round" "$side" "$item" "$n" "$hz" "$before" "$after" "$out" <<'PY' | tee -a "$results"
import json, sys
round_, side, item, n, hz = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
delta = [int(a) - int(b) for a, b in zip(sys.argv[7].split(), sys.argv[6].split())]
data = json.loads(sys.argv[8])
# tasks-ignored: until the queue had no ready message left (the compare also waits for the last ack)
rate = data.get("tasks_per_second") or data.get("chords_per_second") or n / data["ready_drained_seconds"]
us = [d * 1e6 / hz / n for d in delta]
producer = data["producer_cpu_seconds"] * 1e6 / n
print(f"round {round_} side {side} {item} {rate:.0f}/s broker {us[0]:.0f} redis {us[1]:.0f} workers {us[2]:.0f} producer {producer:.0f} µs")
PY
      done
      stop_workers
    done
    stack_stop >&2
  done

  echo "means over $AB_ROUNDS rounds (per item: rate, then CPU µs per unit):"
  awk '{k = $4 " " $5; n[k]++; r[k] += $6; b[k] += $8; d[k] += $10; w[k] += $12; p[k] += $14}
       END {for (k in n) printf "  side %s: %.0f/s broker %.0f redis %.0f workers %.0f producer %.0f µs (%d runs)\n",
                                k, r[k] / n[k], b[k] / n[k], d[k] / n[k], w[k] / n[k], p[k] / n[k], n[k]}' "$results" | sort
  echo "bench-ab: worker logs and results in ${logs#"$ROOT"/}" >&2
}
