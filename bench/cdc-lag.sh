#!/usr/bin/env bash
# Change data capture lag and throughput: a private PostgreSQL 15 (wal2json), the BigQuery
# emulator and `conveyor serve` running a <cdc> process that merges every change into BigQuery
# (storage-write, <uniqueConstraints>{key_columns}</uniqueConstraints>, maxLatency 200ms).
#   1. steady: RATE rows/s (default 1000) for SECONDS (default 30), 10 rows per transaction;
#      each row's lag from its commit to the moment a poll of BigQuery (every ~50 ms) sees it:
#      median, p99, max.
#   2. burst: ROWS rows (default 50000) written as fast as PostgreSQL takes them (1,000 per
#      transaction); the changes/s the pipeline delivered until the last one was visible.
#
#   bench/cdc-lag.sh [RATE [SECONDS [ROWS]]]
#
# CONVEYOR_BIN selects the binary (default .build/release/conveyor, built when missing).
# Uses BIGQUERY_EMULATOR_HOST when set, otherwise starts the local emulator and stops it at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${CONVEYOR_PYTHON:-$ROOT/.venv-bq/bin/python}"
RATE="${1:-1000}"; SECONDS_RUN="${2:-30}"; ROWS="${3:-50000}"
"$PYTHON" -c 'import psycopg' 2>/dev/null || "$PYTHON" -m pip install -q 'psycopg[binary]'
CONVEYOR="${CONVEYOR_BIN:-$ROOT/.build/release/conveyor}"
[ -x "$CONVEYOR" ] || (cd "$ROOT" && swift build -c release --static-swift-stdlib --product conveyor >/dev/null)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/conveyor-bench-cdc-XXXXXX")"
chmod 755 "$WORK"   # the postgres user runs the server in it
cleanup() {
    [ -n "${HOST_PID:-}" ] && kill "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null || true
    [ -n "${EMULATOR_STARTED:-}" ] && "$ROOT/scripts/emulator.sh" stop "$WORK/emulator" >/dev/null 2>&1 || true
    "$ROOT/scripts/postgres.sh" stop "$WORK/pg" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
if [ -z "${BIGQUERY_EMULATOR_HOST:-}" ]; then
    eval "$("$ROOT/scripts/emulator.sh" start "$WORK/emulator")"
    EMULATOR_STARTED=1
fi
export BIGQUERY_EMULATOR_HOST
eval "$("$ROOT/scripts/postgres.sh" start "$WORK/pg")"
PORT="$(echo "$CONVEYOR_TEST_POSTGRES" | sed 's|.*:\([0-9]*\)/.*|\1|')"

run_one() { # NAME MODE ARGS...: a fresh database, BigQuery table and host, then cdc_lag.py MODE URL TABLE ARGS
    local name="$1" mode="$2" db="cdc_$1"
    shift 2
    psql -X -q -v ON_ERROR_STOP=1 "$CONVEYOR_TEST_POSTGRES" -c "CREATE DATABASE $db" >/dev/null
    URL="postgres://postgres@127.0.0.1:$PORT/$db"
    psql -X -q -v ON_ERROR_STOP=1 "$URL" -c "CREATE SCHEMA bench; CREATE TABLE bench.events (id bigint PRIMARY KEY, payload text)" >/dev/null
    echo '[{"name":"id","type":"INTEGER","mode":"REQUIRED"},{"name":"payload","type":"STRING"}]' > "$WORK/schema.json"
    "$PYTHON" "$ROOT/scripts/bq.py" create-table "${name}_bench.events" "$WORK/schema.json" >/dev/null
    local ws="$WORK/ws-$name"
    mkdir -p "$ws/processes" "$ws/connectors"
    cat > "$ws/connectors/db.xml" <<XML
<connection id="db" type="postgresql"><host>127.0.0.1</host><port>$PORT</port><database>$db</database><user>postgres</user></connection>
XML
    cat > "$ws/connectors/bq.xml" <<'XML'
<connection id="bq" type="google-bigquery"><projectId>demo</projectId><auth grant="none"/></connection>
XML
    cat > "$ws/connectors/to-bigquery.xml" <<XML
<operation id="to-bigquery" type="google-bigquery" action="streaming-insert">
  <api>storage-write</api><datasetId>${name}_{schema}</datasetId><tableId>{table}</tableId>
  <uniqueConstraints conflict="UPDATE">{key_columns}</uniqueConstraints>
</operation>
XML
    # Slot names are the server's, not the database's: one per run.
    cat > "$ws/processes/mirror.xml" <<XML
<process id="mirror"><shapes>
  <start id="start" next="write"><cdc connection="db" slot="bench_$name" publication="bench" tables="bench.events" maxBatch="5000" maxLatency="200ms"/></start>
  <connector id="write" connection="bq" operation="to-bigquery" next="done"/><stop id="done"/>
</shapes></process>
XML
    "$CONVEYOR" run mirror --workspace "$ws" >/dev/null   # creates the slot
    "$CONVEYOR" serve --workspace "$ws" --port 0 --no-auth --no-schedules 2> "$WORK/serve-$name.log" &
    HOST_PID=$!
    sleep 1
    "$PYTHON" "$ROOT/bench/cdc_lag.py" "$mode" "$URL" "${name}_bench.events" "$@"
    kill "$HOST_PID"; wait "$HOST_PID" 2>/dev/null || true; HOST_PID=""
    echo "executions: $(grep -c 'execution finished' "$WORK/serve-$name.log") batches"
}
echo "PostgreSQL $(psql -XAtc 'SHOW server_version' "$CONVEYOR_TEST_POSTGRES"), conveyor $("$CONVEYOR" --version)"
run_one steady steady "$RATE" "$SECONDS_RUN"
run_one burst burst "$ROWS"
