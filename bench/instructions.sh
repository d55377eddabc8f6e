#!/usr/bin/env bash
# Instructions a document or row costs, counted by valgrind's callgrind: a figure that does not move
# with the machine's load, for before-and-after comparisons of the straight paths.
#
# usage: bench/instructions.sh [N]   (N documents, default 20,000)
# Each path runs under `valgrind --tool=callgrind` on N, on 2N and again on N documents. The
# difference divided by N is the cost of one document with start-up taken out; what is left of the
# N run is the start-up (of the two N runs, the lower count: the first run against a fresh emulator
# costs more). Paths, each with its peer counted the same way in the same invocation:
#   engine         disk get (json-lines) -> map -> disk send, bench/engine.sh's orders and map;
#                  peers DuckDB (threads=1) and Python/orjson doing the same mapping
#   insert-all     bench/insert-all.sh's rows -> map -> streaming-insert over insertAll, into the
#                  emulator; peer the official Python client's insert_rows_json
#   storage-write  the same rows over the Storage Write API; peer the official Python client's
#                  append_rows
#   query-results  get-query-results reading the rows of one query job (bench/query-results.sh's
#                  table, pages of 1,000) and passing them on to a stop shape; peer the official
#                  Python client iterating job.result()
# Counts cover every thread of the client process (not the emulator). The release binary is
# counted with its debug information stripped (valgrind 3.19 cannot read this toolchain's DWARF 5).
# Environment: CONVEYOR_BIN=path counts that binary, ONLY=engine,insert-all,storage-write,query-results
# picks paths, PEERS=0 skips the peers, KEEP=1 keeps the temporary directory.
set -euo pipefail
N=${1:-20000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/workspace.sh"
PYTHON="$ROOT/.venv-bq/bin/python"
[ -x "$PYTHON" ] || PYTHON=python3
command -v valgrind > /dev/null || { echo "error: valgrind is needed: apt-get install valgrind" >&2; exit 1; }
ONLY=${ONLY:-engine,insert-all,storage-write,query-results}
PEERS=${PEERS:-1}
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/conveyor-bench-instructions-XXXXXX")
cleanup() {
    "$ROOT/scripts/emulator.sh" stop "$WORK/emulator" > /dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
objcopy --strip-debug "$(conveyor_binary "$ROOT")" "$WORK/conveyor"
CONVEYOR="$WORK/conveyor"

# Runs a command under callgrind; sets IR to the instructions it executed.
counted() {
    local log="$WORK/callgrind.log"
    if ! valgrind --tool=callgrind --callgrind-out-file=/dev/null --trace-children=no "$@" > /dev/null 2> "$log"; then
        echo "error: $* failed under valgrind; last lines:" >&2
        tail -5 "$log" >&2
        return 1
    fi
    IR=$(awk '/Collected :/ {print $NF}' "$log" | tail -1)
    [ -n "$IR" ] || { echo "error: no instruction count from valgrind for $*" >&2; return 1; }
}

declare -A per start
# measure NAME SETUP RUN: SETUP N prepares an input of N documents (and clears outputs), RUN counts
# one run (it calls `counted`, so it can use what SETUP chose, such as a new table's name).
measure() {
    local name="$1" setup="$2" run="$3" small large again
    "$setup" "$N"; "$run"; small=$IR
    "$setup" $((2 * N)); "$run"; large=$IR
    # The small size again, after the large: the first run against a fresh emulator costs more
    # (its first answers come late, and the client does more while it waits); the lower count stands.
    "$setup" "$N"; "$run"; again=$IR
    [ "$again" -ge "$small" ] || small=$again
    per[$name]=$(awk -v a="$small" -v b="$large" -v n="$N" 'BEGIN {printf "%.0f", (b - a) / n}')
    start[$name]=$(awk -v a="$small" -v p="${per[$name]}" -v n="$N" 'BEGIN {printf "%.1f", (a - p * n) / 1e6}')
    printf '%-22s %10s instructions a document, start-up %8s M\n' "$name" "${per[$name]}" "${start[$name]}"
}
names=()

# ----- engine
if wants engine; then
    "$PYTHON" -c 'import orjson, duckdb' 2> /dev/null || "$PYTHON" -m pip install -q orjson duckdb
    make_workspace "$WORK/engine"
    "$PYTHON" "$ROOT/bench/gen_orders.py" $((2 * N)) "$WORK/orders-all.ndjson"
    engine_input() {
        head -n "$1" "$WORK/orders-all.ndjson" > "$WORK/engine/orders.ndjson"
        rm -f "$WORK/engine/out/"*
    }
    engine_conveyor() { counted "$CONVEYOR" run bench --workspace "$WORK/engine"; }
    engine_duckdb() { counted "$PYTHON" "$ROOT/bench/map_duckdb.py" "$WORK/engine/orders.ndjson" "$WORK/engine/out/duckdb.ndjson"; }
    engine_python() { counted "$PYTHON" "$ROOT/bench/map_orjson.py" "$WORK/engine/orders.ndjson" "$WORK/engine/out/python.ndjson"; }
    measure engine/conveyor engine_input engine_conveyor
    [ "$(wc -l < "$WORK/engine/out/conveyor.ndjson")" = "$N" ] || { echo "error: conveyor wrote the wrong number of documents" >&2; exit 1; }
    names+=(engine)
    if [ "$PEERS" = 1 ]; then
        measure engine/duckdb engine_input engine_duckdb
        measure engine/python engine_input engine_python
    fi
fi

# ----- the BigQuery paths, against the emulator
if wants insert-all || wants storage-write || wants query-results; then
    eval "$("$ROOT/scripts/emulator.sh" start "$WORK/emulator")"
    export BIGQUERY_EMULATOR_HOST BIGQUERY_STORAGE_EMULATOR_HOST
fi
if wants insert-all || wants storage-write; then
    "$PYTHON" "$ROOT/bench/gen_rows.py" $((2 * N)) "$WORK/rows-all.ndjson"
    cat > "$WORK/table.json" <<'JSON'
[{"name": "id", "type": "INTEGER"}, {"name": "name", "type": "STRING"}, {"name": "amount", "type": "NUMERIC"},
 {"name": "ts", "type": "TIMESTAMP"}, {"name": "pad", "type": "STRING"}]
JSON
    table=0
    # Every run writes N rows into a new, empty table.
    rows_input() {
        table=$((table + 1))
        "$PYTHON" "$ROOT/scripts/bq.py" create-table "bench.t$table" "$WORK/table.json" > /dev/null
        head -n "$1" "$WORK/rows-all.ndjson" > "$ws/data/rows.ndjson"
        sed -i "s|<tableId>[^<]*</tableId>|<tableId>t$table</tableId>|" "$ws/connectors/write-rows.xml"
    }
    rows_conveyor() { counted "$CONVEYOR" run bench --workspace "$ws"; }
    rows_python() {
        if [ "$api" = insert-all ]; then
            counted "$PYTHON" "$ROOT/bench/insert_all_python.py" "$ws/data/rows.ndjson" "demo.bench.t$table" 10000
        else
            counted "$PYTHON" "$ROOT/bench/storage_write_python.py" "$ws/data/rows.ndjson" "demo.bench.t$table"
        fi
    }
    for api in insert-all storage-write; do
        wants "$api" || continue
        ws="$WORK/$api"
        make_insert_workspace "$ws" bench t0 "$api" 10000
        measure "$api/conveyor" rows_input rows_conveyor
        count=$("$PYTHON" "$ROOT/scripts/bq.py" count "bench.t$table")
        [ "$count" = "$N" ] || { echo "error: $api: expected $N rows in bench.t$table, found $count" >&2; exit 1; }
        names+=("$api")
        if [ "$PEERS" = 1 ]; then
            measure "$api/python" rows_input rows_python
            count=$("$PYTHON" "$ROOT/scripts/bq.py" count "bench.t$table")
            [ "$count" = "$N" ] || { echo "error: $api (python): expected $N rows, found $count" >&2; exit 1; }
        fi
    done
fi

if wants query-results; then
    ws="$WORK/query-results"
    make_query_results_workspace "$ws"
    # A query job over a new table of N rows for each run.
    job_input() {
        job=$("$PYTHON" "$ROOT/bench/query_results_python.py" generate "$1")
        printf '{"jobId": "%s"}\n' "$job" > "$WORK/job.json"
        rows=$1
    }
    results_conveyor() {
        counted "$CONVEYOR" run read-only --workspace "$ws" --input "$WORK/job.json" --json
        out=$("$CONVEYOR" executions list --workspace "$ws" --json 2> /dev/null | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[0]["documentsOut"])')
        [ "$out" = "$rows" ] || { echo "error: query-results: conveyor passed $out rows on, expected $rows" >&2; exit 1; }
    }
    results_python() {
        counted "$PYTHON" "$ROOT/bench/query_results_python.py" read "$job"
    }
    measure query-results/conveyor job_input results_conveyor
    names+=(query-results)
    [ "$PEERS" = 1 ] && measure query-results/python job_input results_python
fi

echo
for name in "${names[@]}"; do
    peers=()
    case "$name" in engine) peers=(duckdb python) ;; *) peers=(python) ;; esac
    for peer in "${peers[@]}"; do
        [ -n "${per[$name/$peer]:-}" ] || continue
        awk -v a="${per[$name/conveyor]}" -v b="${per[$name/$peer]}" -v n="$name" -v p="$peer" \
            'BEGIN {printf "%-14s conveyor / %-7s %.3fx instructions a document\n", n, p, a / b}'
        result instructions "$name" per_document "${per[$name/conveyor]}" "$peer" "${per[$name/$peer]}"
    done
    [ "$PEERS" = 1 ] || result instructions "$name" per_document "${per[$name/conveyor]}"
    result instructions "$name" startup_millions "${start[$name/conveyor]}"
done
