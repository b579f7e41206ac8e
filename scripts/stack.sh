#!/usr/bin/env bash
# The local stack: private RabbitMQ, Redis and SecantusDB (MongoDB wire) instances on loopback.
#
#   scripts/stack.sh install                 apt packages + SecantusDB venv (idempotent)
#   scripts/stack.sh start [SERVICE...]      start (all by default); a running one is left alone
#   scripts/stack.sh stop [SERVICE...]       stop by PID (all by default)
#   scripts/stack.sh restart SERVICE...      stop then start, keeping the data
#   scripts/stack.sh status                  one line per service
#   scripts/stack.sh env                     print `export AMQP_URL=...` lines for this stack
#
# SERVICE is rabbitmq, redis or mongo. Ports and credentials come from .env (created from
# .env.example when missing); STACK_PORT_OFFSET shifts every port (the test command uses it so
# tests never collide with a running development stack). State lives under $STACK_DIR
# (default .run/stack). Nothing is ever stopped by name: only the PIDs this script recorded.
# RABBITMQ_EXTRA_CONF (lines of rabbitmq.conf) is appended to the node's configuration on start,
# for trying broker settings (benchmarks).
#
# This file can also be sourced: it then only defines the functions and variables.

_stack_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }
STACK_ROOT="${STACK_ROOT:-$(_stack_root)}"

stack_load_env() {
  local file="$STACK_ROOT/.env"
  [ -f "$file" ] || cp "$STACK_ROOT/.env.example" "$file"
  # Values already in the environment win over the file.
  local line key value
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%%#*}"; line="${line%"${line##*[![:space:]]}"}"
    [[ "$line" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || continue
    key="${line%%=*}"; value="${line#*=}"
    value="${value%\"}"; value="${value#\"}"
    [ -n "${!key+x}" ] || export "$key=$value"
  done < "$file"

  local off="${STACK_PORT_OFFSET:-0}"
  export STACK_DIR="${STACK_DIR:-$STACK_ROOT/.run/stack}"
  export SECANTUS_VENV="${SECANTUS_VENV:-$STACK_ROOT/.run/venv-secantus}"
  export RMQ_PORT=$(( ${RABBITMQ_PORT:-5772} + off ))
  export RMQ_DIST_PORT=$(( ${RABBITMQ_DIST_PORT:-25772} + off ))
  export RMQ_EPMD_PORT=$(( ${RABBITMQ_EPMD_PORT:-14369} + off ))
  export RMQ_MGMT_PORT=$(( ${RABBITMQ_MANAGEMENT_PORT:-15772} + off ))
  export RMQ_NODENAME="celeriac-$(( ${RABBITMQ_PORT:-5772} + off ))@localhost"
  export RMQ_USER="${RABBITMQ_USER:-celeriac}" RMQ_PASS="${RABBITMQ_PASSWORD:-celeriac-dev-pw}"
  export RMQ_VHOST="${RABBITMQ_VHOST:-celeriac}"
  export REDIS_PORT_EFFECTIVE=$(( ${REDIS_PORT:-6479} + off ))
  export REDIS_PASS="${REDIS_PASSWORD:-redis-dev-pw}"
  export MONGO_PORT_EFFECTIVE=$(( ${MONGO_PORT:-27117} + off ))
  export MONGO_DB="${MONGO_DATABASE:-celeriac}"
}

stack_urls() {  # the URLs the Swift code reads, for this stack
  local vhost pass
  vhost=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$RMQ_VHOST")
  pass=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$RMQ_PASS")
  echo "export AMQP_URL='amqp://$RMQ_USER:$pass@127.0.0.1:$RMQ_PORT/$vhost'"
  pass=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$REDIS_PASS")
  echo "export REDIS_URL='redis://:$pass@127.0.0.1:$REDIS_PORT_EFFECTIVE/0'"
  echo "export MONGO_URL='mongodb://127.0.0.1:$MONGO_PORT_EFFECTIVE/$MONGO_DB'"
}

# ---------------------------------------------------------------- helpers
_log() { echo "stack: $*" >&2; }
_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Orphans may be reaped late in containers: a zombie counts as dead.
_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && ! grep -qs '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
_pid_of() { if [ -f "$1" ]; then cat "$1" 2>/dev/null || true; fi; }
_running() { _alive "$(_pid_of "$1")"; }

_wait_port() {  # PIDFILE PORT SECONDS: fails early when the process dies
  local pid deadline; pid=$(_pid_of "$1"); deadline=$(( $(date +%s) + $3 ))
  until _port_open "$2"; do
    _alive "$pid" || { _log "process $pid exited before port $2 opened"; return 1; }
    [ "$(date +%s)" -ge "$deadline" ] && { _log "timeout waiting for port $2"; return 1; }
    sleep 0.1
  done
}

_wait_for() {  # SECONDS CMD...
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && { _log "timeout waiting for: $*"; return 1; }
    sleep 0.2
  done
}

_ports_free() {
  local p; for p in "$@"; do
    if _port_open "$p"; then
      _log "port $p is already in use by another process; free it or change the port in .env"
      return 1
    fi
  done
}

_stop_pid() {  # PIDFILE [TIMEOUT]: SIGTERM, wait, SIGKILL as a last resort
  local f=$1 t=${2:-30} pid; pid=$(_pid_of "$f"); [ -n "$pid" ] || { rm -f "$f"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  local i; for ((i = 0; i < t * 10; i++)); do _alive "$pid" || break; sleep 0.1; done
  if _alive "$pid"; then _log "pid $pid did not stop in ${t}s, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$f"
}

# ---------------------------------------------------------------- install
# stack_apt_install PACKAGE...: installs those of the Debian packages not installed yet (with
# sudo unless root).
stack_apt_install() {
  local missing=() p
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -gt 0 ] || return 0
  _log "installing ${missing[*]}"
  local sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# stack_pip_venv VENV PACKAGE...: a new Python venv at VENV with the packages from PyPI.
stack_pip_venv() {
  _log "installing ${*:2} into $1"
  # Chained: callers use it after ||, where set -e does not stop inside a function.
  python3 -m venv "$1" && "$1/bin/pip" install -q --disable-pip-version-check "${@:2}"
}

stack_install() {
  stack_apt_install rabbitmq-server redis-server redis-tools amqp-tools \
    librabbitmq-dev libhiredis-dev libbson-dev libmongoc-dev pkg-config python3-venv
  [ -x "$SECANTUS_VENV/bin/secantusd-py" ] || stack_pip_venv "$SECANTUS_VENV" secantusdb pymongo
}

# Python Celery 5.7, the reference implementation (interoperability tests, bench compare), in
# .run/venv-celery; exports CELERY_VENV and CELERY_PYTHON.
stack_celery_install() {
  export CELERY_VENV="$STACK_ROOT/.run/venv-celery"
  [ -x "$CELERY_VENV/bin/celery" ] || stack_pip_venv "$CELERY_VENV" "celery[redis]==5.7.0"
  export CELERY_PYTHON="$CELERY_VENV/bin/python"
}

# ---------------------------------------------------------------- RabbitMQ
# Erlang's process-heap allocator: heaps up to 16 MB are carved from multiblock carriers of up to
# 32 MB, which the node keeps and reuses, instead of each heap over 512 KB getting a memory
# mapping of its own. Under load, every garbage collection of a queue or channel process that
# holds a backlog mapped a fresh heap, touched its pages and unmapped the old one: 2.2 page
# faults and about 50 µs of broker CPU per task, against 0.2 and 43 with these settings
# (20,000 demo.add without results: 22,164 → 25,354 tasks/s, 18,106 → 20,316 with results;
# alternated on fresh stacks, 2026-12-06; the node's RSS after the runs 182 → 175 MB).
# docker-compose.yml gives its RabbitMQ the same. RABBITMQ_SERVER_START_ARGS, which the server
# script appends after these, can override them.
RMQ_ALLOC_ARGS='+MHsbct 16384 +MHlmbcs 32768'

_rmq_env() {
  local d="$STACK_DIR/rabbitmq"
  env HOME="$d/home" PATH="/usr/lib/rabbitmq/bin:$PATH" \
    RABBITMQ_NODENAME="$RMQ_NODENAME" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RMQ_PORT" \
    RABBITMQ_DIST_PORT="$RMQ_DIST_PORT" \
    RABBITMQ_CTL_DIST_PORT_MIN=$((RMQ_DIST_PORT + 10000)) RABBITMQ_CTL_DIST_PORT_MAX=$((RMQ_DIST_PORT + 10010)) \
    RABBITMQ_MNESIA_BASE="$d/mnesia" RABBITMQ_LOG_BASE="$d/log" \
    RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" RABBITMQ_CONF_ENV_FILE="$d/rabbitmq-env.conf" \
    RABBITMQ_PID_FILE="$d/beam.pid" \
    ERL_CRASH_DUMP="$d/log/erl_crash.dump" \
    ERL_EPMD_PORT="$RMQ_EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} $RMQ_ALLOC_ARGS" \
    RABBITMQ_CTL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}' \
    "$@"
}
stack_rabbitmqctl() { _rmq_env rabbitmqctl "$@"; }

rabbitmq_running() { _running "$STACK_DIR/rabbitmq/beam.pid" && _port_open "$RMQ_PORT"; }

rabbitmq_start() {
  local d="$STACK_DIR/rabbitmq"
  if rabbitmq_running; then _log "rabbitmq already running on $RMQ_PORT"; return 0; fi
  _ports_free "$RMQ_PORT" "$RMQ_DIST_PORT" || return 1
  mkdir -p "$d/home" "$d/mnesia" "$d/log"
  if [ ! -f "$d/home/.erlang.cookie" ]; then
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$d/home/.erlang.cookie"
    chmod 400 "$d/home/.erlang.cookie"
  fi
  : > "$d/rabbitmq-env.conf"
  # The node settings that matter for Celeriac mirror the repository's rabbitmq.conf; the
  # listener and paths are local-only.
  cat > "$d/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$RMQ_PORT
loopback_users.guest = true
disk_free_limit.absolute = 50MB
vm_memory_high_watermark.relative = 0.4
consumer_timeout = 1800000
heartbeat = 60
log.console = false
log.file.level = warning
default_vhost = $RMQ_VHOST
default_user = $RMQ_USER
default_pass = $RMQ_PASS
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
management.tcp.ip = 127.0.0.1
management.tcp.port = $RMQ_MGMT_PORT
${RABBITMQ_EXTRA_CONF:-}
EOF
  if [ "${RABBITMQ_MANAGEMENT:-0}" = 1 ]; then echo '[rabbitmq_management].' > "$d/enabled_plugins"
  else echo '[].' > "$d/enabled_plugins"; fi
  # A private epmd, so it can be stopped by PID (erl would otherwise leave a shared one on 4369).
  if ! _running "$d/epmd.pid"; then
    _ports_free "$RMQ_EPMD_PORT" || return 1
    epmd -port "$RMQ_EPMD_PORT" -address 127.0.0.1 > "$d/epmd.log" 2>&1 < /dev/null &
    echo $! > "$d/epmd.pid"
  fi
  _rmq_env rabbitmq-server > "$d/log/stdout.log" 2>&1 < /dev/null &
  echo $! > "$d/server.pid"
  _wait_port "$d/server.pid" "$RMQ_PORT" 120 || { tail -50 "$d/log/"*.log >&2; return 1; }
  _rmq_env rabbitmqctl -q await_startup --timeout 90 >/dev/null
  _log "rabbitmq up on 127.0.0.1:$RMQ_PORT (vhost $RMQ_VHOST)"
}

rabbitmq_stop() {
  local d="$STACK_DIR/rabbitmq"
  _stop_pid "$d/beam.pid" 60
  _stop_pid "$d/server.pid" 10
  _stop_pid "$d/epmd.pid" 5
}

# ---------------------------------------------------------------- Redis
redis_running() { _running "$STACK_DIR/redis/redis.pid" && _port_open "$REDIS_PORT_EFFECTIVE"; }

redis_start() {
  local d="$STACK_DIR/redis"
  if redis_running; then _log "redis already running on $REDIS_PORT_EFFECTIVE"; return 0; fi
  _ports_free "$REDIS_PORT_EFFECTIVE" || return 1
  mkdir -p "$d"
  # appendonly: results and chord state survive a Redis restart.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT_EFFECTIVE" --dir "$d" \
    --requirepass "$REDIS_PASS" --save '' --appendonly yes --appendfsync everysec \
    --daemonize no --logfile "$d/redis.log" > "$d/stdout.log" 2>&1 < /dev/null &
  echo $! > "$d/redis.pid"
  _wait_port "$d/redis.pid" "$REDIS_PORT_EFFECTIVE" 20 || { cat "$d/redis.log" >&2; return 1; }
  _wait_for 20 env REDISCLI_AUTH="$REDIS_PASS" redis-cli -h 127.0.0.1 -p "$REDIS_PORT_EFFECTIVE" ping
  _log "redis up on 127.0.0.1:$REDIS_PORT_EFFECTIVE"
}

redis_stop() { _stop_pid "$STACK_DIR/redis/redis.pid" 20; }

# ---------------------------------------------------------------- SecantusDB (MongoDB wire)
mongo_running() { _running "$STACK_DIR/secantus/secantusd.pid" && _port_open "$MONGO_PORT_EFFECTIVE"; }

mongo_start() {
  local d="$STACK_DIR/secantus"
  if mongo_running; then _log "mongo (SecantusDB) already running on $MONGO_PORT_EFFECTIVE"; return 0; fi
  [ -x "$SECANTUS_VENV/bin/secantusd-py" ] || { _log "SecantusDB is not installed: run scripts/stack.sh install"; return 1; }
  _ports_free "$MONGO_PORT_EFFECTIVE" || return 1
  mkdir -p "$d"
  : > "$d/secantusd.toml"   # explicit empty config: no auto-discovery of ./secantusd.toml
  "$SECANTUS_VENV/bin/secantusd-py" --config "$d/secantusd.toml" \
    --host 127.0.0.1 --port "$MONGO_PORT_EFFECTIVE" --storage-path "$d/data" --cache-size 256M \
    > "$d/secantusd.log" 2>&1 < /dev/null &
  echo $! > "$d/secantusd.pid"
  _wait_port "$d/secantusd.pid" "$MONGO_PORT_EFFECTIVE" 60 || { cat "$d/secantusd.log" >&2; return 1; }
  "$SECANTUS_VENV/bin/python" -c "import pymongo; pymongo.MongoClient('mongodb://127.0.0.1:$MONGO_PORT_EFFECTIVE', serverSelectionTimeoutMS=20000).admin.command('ping')" \
    || { cat "$d/secantusd.log" >&2; return 1; }
  _log "mongo (SecantusDB) up on 127.0.0.1:$MONGO_PORT_EFFECTIVE"
}

mongo_stop() { _stop_pid "$STACK_DIR/secantus/secantusd.pid" 30; }

# ---------------------------------------------------------------- all
_services() { if [ $# -eq 0 ]; then echo rabbitmq redis mongo; else echo "$@"; fi; }
_check_service() { case "$1" in rabbitmq|redis|mongo) ;; *) _log "unknown service '$1' (rabbitmq, redis, mongo)"; return 2;; esac; }

stack_start() { local s; for s in $(_services "$@"); do _check_service "$s" && "${s}_start" || return 1; done; }
stack_stop() {  # reverse order
  local s list; list=$(_services "$@"); for s in $(echo "$list" | tr ' ' '\n' | tac); do _check_service "$s" && "${s}_stop"; done; return 0
}
stack_status() {
  local s rc=0; for s in rabbitmq redis mongo; do
    if "${s}_running"; then echo "$s: running"; else echo "$s: stopped"; rc=1; fi
  done; return $rc
}

stack_main() {
  local cmd=${1:-}; shift || true
  stack_load_env
  case "$cmd" in
    install) stack_install ;;
    start) stack_start "$@" ;;
    stop) stack_stop "$@" ;;
    restart) [ $# -gt 0 ] || { _log "restart needs a service"; return 2; }
             stack_stop "$@" && stack_start "$@" ;;
    status) stack_status ;;
    env) stack_urls ;;
    *) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; [ -z "$cmd" ] && return 2; [ "$cmd" = help ] || return 2 ;;
  esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  stack_main "$@"
fi
