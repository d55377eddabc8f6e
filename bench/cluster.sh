#!/usr/bin/env bash
# Executions per second of one conveyor host on SQLite against 1, 2 and 3 hosts on one PostgreSQL.
#
# usage: bench/cluster.sh [N]   (N queued triggers, default 2,000)
# The workspace has one process `echo` (allowSimultaneous="true"): a listener start
# (POST /x) → message → returnDocuments. Two figures, each for the SQLite single host and for
# 1, 2 and 3 `conveyor serve` hosts on one PostgreSQL store (a fresh database each, started with
# scripts/postgres.sh in a temporary directory, `--workers 4 --heartbeat 1s --host-timeout 5s
# --no-auth --no-schedules`):
#   listener  `POST /x` answered synchronously, as fast as wrk can send them: one
#             `wrk -t1 -c8 -d${DURATION}s` per host at once (after a 2 s warm-up), rates summed;
#   queued    N `POST /api/processes/echo/executions?wait=false` (no body) spread round robin over
#             the hosts (bench/cluster_load.py, 8 threads, keep-alive), timed until every one of
#             them is recorded COMPLETE and `work_queue` is empty (psql, every 0.2 s). On SQLite
#             there is no queue: the host starts each one itself (202 ACCEPTED); the time is until
#             the N executions are COMPLETE in the SQLite store (sqlite3).
# Prints executions/s and the ratio to the SQLite single host. Every host, the load generators and
# PostgreSQL share this machine's cores: on a machine with few cores more hosts cannot be faster.
# Environment: DURATION (s of each wrk run; default 15, 5 when N < 1000), KEEP=1 keeps the
# temporary directory, CONVEYOR_BIN. Needs wrk (`apt-get install wrk`), psql, sqlite3, PostgreSQL 15.
set -euo pipefail
shopt -s inherit_errexit
N=${1:-2000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/workspace.sh"
PYTHON="$ROOT/.venv-bq/bin/python"
[ -x "$PYTHON" ] || PYTHON=python3
CONVEYOR=$(conveyor_binary "$ROOT")
if [ -z "${DURATION:-}" ]; then
    if [ "$N" -lt 1000 ]; then DURATION=5; else DURATION=15; fi
fi
for tool in wrk psql sqlite3; do
    command -v "$tool" > /dev/null || { echo "error: $tool is not installed (apt-get install $tool)" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/conveyor-cluster-XXXXXX")
chmod 755 "$WORK"   # the PostgreSQL server (run as its own user when we are root) reaches its directory
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2> /dev/null || true; done
    "$ROOT/scripts/postgres.sh" stop "$WORK/pg" > /dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

eval "$("$ROOT/scripts/postgres.sh" start "$WORK/pg")"
PG="$CONVEYOR_TEST_POSTGRES"
PG_BASE="${PG%/*}"
echo "PostgreSQL: $PG"

make_echo_workspace() {
    mkdir -p "$1/processes"
    cat > "$1/processes/echo.xml" <<'XML'
<process id="echo" name="Echo" allowSimultaneous="true">
  <shapes>
    <start id="start" next="answer"><listener path="/x" method="POST"/></start>
    <message id="answer" next="return"><text>{{"ok": true}}</text></message>
    <returnDocuments id="return"/>
  </shapes>
</process>
XML
}
make_echo_workspace "$WORK/ws-sqlite"
make_echo_workspace "$WORK/ws-pg"
cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"order": 1}'
wrk.headers["Content-Type"] = "application/json"
LUA

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_host NAME [serve options...]: starts a host on a free port; sets PORT, appends its pid to PIDS.
start_host() {
    local name="$1"; shift
    PORT=$(free_port)
    "$CONVEYOR" serve --no-auth --no-schedules --port "$PORT" "$@" > "$WORK/$name.log" 2>&1 &
    PIDS+=($!)
    local waited=0
    until curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null; do
        sleep 0.1
        waited=$((waited + 1))
        if [ $waited -gt 600 ] || ! kill -0 "${PIDS[-1]}" 2> /dev/null; then
            echo "error: host $name did not become ready; its log:" >&2
            tail -20 "$WORK/$name.log" >&2
            exit 1
        fi
    done
}

stop_hosts() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2> /dev/null || true; done
    PIDS=()
}

# listener_rate PORT...: one wrk per host at once; prints the summed requests/s. Fails when a
# request got no 2xx answer or a socket error.
listener_rate() {
    local port pid i=0 outs=() loads=()
    for port in "$@"; do
        wrk -t1 -c8 -d2s -s "$WORK/post.lua" "http://127.0.0.1:$port/x" > /dev/null &
        loads+=($!)
    done
    for pid in "${loads[@]}"; do wait "$pid"; done
    loads=()
    for port in "$@"; do
        i=$((i + 1))
        wrk -t1 -c8 -d"${DURATION}s" -s "$WORK/post.lua" "http://127.0.0.1:$port/x" > "$WORK/wrk.$i" &
        loads+=($!)
        outs+=("$WORK/wrk.$i")
    done
    for pid in "${loads[@]}"; do wait "$pid"; done
    local out
    for out in "${outs[@]}"; do
        sed 's/^/    /' "$out" >&2
        if grep -q 'Non-2xx\|Socket errors' "$out"; then
            echo "error: wrk saw failed requests (above)" >&2
            return 1
        fi
    done
    awk '/^Requests\/sec:/ {sum += $2} END {printf "%.1f", sum}' "${outs[@]}"
}

ms() { date +%s%N; }

# drained COUNT_COMMAND TARGET: waits until COUNT_COMMAND prints TARGET (or more); 600 s at most.
drained() {
    local count deadline=$(( $(date +%s) + 600 ))
    while :; do
        count=$(eval "$1")
        [ "$count" -ge "$2" ] && return 0
        if [ "$(date +%s)" -gt $deadline ]; then
            echo "error: after 600 s only $count of $2 executions are done" >&2
            return 1
        fi
        sleep 0.2
    done
}

# queued_rate LABEL COUNT_SQL_COMMAND PENDING_COMMAND PORT...: enqueues N, prints executions/s.
queued_rate() {
    local label="$1" count_cmd="$2" pending_cmd="$3"; shift 3
    local ports before start end
    ports=$(IFS=,; echo "$*")
    before=$(eval "$count_cmd")
    start=$(ms)
    "$PYTHON" "$ROOT/bench/cluster_load.py" enqueue "$N" echo "$ports" >&2
    drained "$count_cmd" $((before + N))
    while [ "$(eval "$pending_cmd")" -gt 0 ]; do sleep 0.2; done
    end=$(ms)
    awk -v n="$N" -v a="$start" -v b="$end" -v l="$label" \
        'BEGIN {s = (b - a) / 1e9; printf "%s: %d executions COMPLETE in %.2f s\n", l, n, s > "/dev/stderr"; printf "%.1f", n / s}'
}

declare -A LISTENER QUEUED

echo
echo "== SQLite, one host"
start_host sqlite --workspace "$WORK/ws-sqlite"
SQLITE_DB="$WORK/ws-sqlite/.conveyor/executions.sqlite"
LISTENER[sqlite]=$(listener_rate "$PORT")
echo "listener: ${LISTENER[sqlite]} executions/s"
QUEUED[sqlite]=$(queued_rate "wait=false (local start)" \
    "sqlite3 '$SQLITE_DB' \"SELECT count(*) FROM executions WHERE status = 'COMPLETE'\"" "echo 0" "$PORT")
echo "wait=false: ${QUEUED[sqlite]} executions/s"
failed=$(sqlite3 "$SQLITE_DB" "SELECT count(*) FROM executions WHERE status <> 'COMPLETE'")
[ "$failed" = 0 ] || { echo "error: $failed executions are not COMPLETE" >&2; exit 1; }
stop_hosts

for hosts in 1 2 3; do
    echo
    echo "== PostgreSQL, $hosts host(s)"
    psql -q "$PG" -c "CREATE DATABASE cluster$hosts" > /dev/null
    STORE="$PG_BASE/cluster$hosts"
    ports=()
    for h in $(seq 1 "$hosts"); do
        start_host "pg$hosts-h$h" --workspace "$WORK/ws-pg" --store "$STORE" --host-id "h$h" \
            --workers 4 --heartbeat 1s --host-timeout 5s
        ports+=("$PORT")
    done
    commits_sql="SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'cluster$hosts'"
    executions_sql="SELECT count(*) FROM executions"
    before=$(psql -tAq "$STORE" -c "$commits_sql"); executions_before=$(psql -tAq "$STORE" -c "$executions_sql")
    LISTENER[$hosts]=$(listener_rate "${ports[@]}")
    echo "listener: ${LISTENER[$hosts]} executions/s"
    sleep 1   # pg_stat_database is updated by the server's statistics, a little after the commits
    after=$(psql -tAq "$STORE" -c "$commits_sql"); executions_after=$(psql -tAq "$STORE" -c "$executions_sql")
    awk -v c=$((after - before)) -v e=$((executions_after - executions_before)) \
        'BEGIN {if (e > 0) printf "  PostgreSQL transactions per listener execution (heartbeats and queue polls included): %.1f\n", c / e}'
    QUEUED[$hosts]=$(queued_rate "queued" \
        "psql -tAq '$STORE' -c \"SELECT count(*) FROM executions WHERE status = 'COMPLETE'\"" \
        "psql -tAq '$STORE' -c 'SELECT count(*) FROM work_queue'" "${ports[@]}")
    echo "queued: ${QUEUED[$hosts]} executions/s"
    psql -tAq "$STORE" -c "SELECT host, count(*) FROM executions GROUP BY host ORDER BY host" | sed 's/^/  executions by host: /'
    failed=$(psql -tAq "$STORE" -c "SELECT count(*) FROM executions WHERE status <> 'COMPLETE'")
    [ "$failed" = 0 ] || { echo "error: $failed executions are not COMPLETE" >&2; exit 1; }
    stop_hosts
done

echo
echo "$(nproc) cores shared by every host, the load generators and PostgreSQL: more hosts cannot be faster here."
result cluster "sqlite-1-host/listener" execs_per_s "${LISTENER[sqlite]}"
result cluster "sqlite-1-host/wait=false" execs_per_s "${QUEUED[sqlite]}"
for hosts in 1 2 3; do
    result cluster "pg-$hosts-hosts/listener" execs_per_s "${LISTENER[$hosts]}" sqlite-1-host "${LISTENER[sqlite]}"
done
for hosts in 1 2 3; do
    result cluster "pg-$hosts-hosts/queued-$N" execs_per_s "${QUEUED[$hosts]}" sqlite-1-host "${QUEUED[sqlite]}"
done
