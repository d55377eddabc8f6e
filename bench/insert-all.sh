#!/usr/bin/env bash
# The insert-all (tabledata.insertAll) sink against the official Python client, on the same emulator.
#
# usage: bench/insert-all.sh [N]   (N rows, default 200,000)
# Generates N rows (the row shape of storage-write.sh, gen_rows.py) as NDJSON; starts the emulator;
# writes them with `conveyor run` (release build: disk get json-lines -> map -> streaming-insert,
# insert-all, batchCount BATCH) and then with the official Python client (insert_rows_json,
# insert_all_python.py), each into its own table; prints wall time, client CPU and the ratios, and
# checks both tables hold N rows. The Python client sends as many requests as conveyor did (counted
# in the emulator's log; conveyor cuts requests per chunk of about 1,000 documents the engine hands
# the shape), of N / requests rows each: the emulator copies the whole table after every write, so
# the number of requests, not the client, would otherwise decide. conveyor has up to four requests
# in flight, the Python client one.
# Environment: BATCH (default 10000), KEEP=1 keeps the temporary directory, REBUILD=1 rebuilds the
# binary, CONVEYOR_BIN=path uses that binary instead of the release build.
set -euo pipefail
N=${1:-200000}
BATCH=${BATCH:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/workspace.sh"
PYTHON="$ROOT/.venv-bq/bin/python"
CONVEYOR=$(conveyor_binary "$ROOT")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/conveyor-bench-insert-XXXXXX")
cleanup() {
    "$ROOT/scripts/emulator.sh" stop "$WORK/emulator" >/dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
eval "$("$ROOT/scripts/emulator.sh" start "$WORK/emulator")"
export BIGQUERY_EMULATOR_HOST

ws="$WORK/ws"
make_insert_workspace "$ws" bench conveyor insert-all "$BATCH"
"$PYTHON" "$ROOT/bench/gen_rows.py" "$N" "$ws/data/rows.ndjson"
BYTES=$(stat -c %s "$ws/data/rows.ndjson")
echo "$N rows, $(( BYTES / N )) bytes each"
cat > "$WORK/table.json" <<'JSON'
[{"name": "id", "type": "INTEGER"}, {"name": "name", "type": "STRING"}, {"name": "amount", "type": "NUMERIC"},
 {"name": "ts", "type": "TIMESTAMP"}, {"name": "pad", "type": "STRING"}]
JSON
"$PYTHON" "$ROOT/scripts/bq.py" create-table bench.conveyor "$WORK/table.json" >/dev/null
"$PYTHON" "$ROOT/scripts/bq.py" create-table bench.python "$WORK/table.json" >/dev/null

declare -A wall cpu rss
run() {
    local name="$1"; shift
    timed "$@" || { echo "$name failed" >&2; exit 1; }
    wall[$name]=$WALL; cpu[$name]=$CPU; rss[$name]=$RSS
}
requests() { grep -c "\"path\": \"/bigquery/v2/projects/demo/datasets/bench/tables/$1/insertAll\"" "$WORK/emulator/log" || true; }
run conveyor "$CONVEYOR" run bench --workspace "$ws"
# conveyor cuts requests per chunk the engine hands the shape (about 1,000 documents from disk get),
# so it may send more requests than N / BATCH: the Python client gets the same number of requests.
SENT=$(requests conveyor)
[ "$SENT" -gt 0 ] || { echo "error: no insertAll request from conveyor in the emulator's log" >&2; exit 1; }
PY_BATCH=$(( (N + SENT - 1) / SENT ))
run python "$PYTHON" "$ROOT/bench/insert_all_python.py" "$ws/data/rows.ndjson" demo.bench.python "$PY_BATCH"
PY_SENT=$(requests python)
echo "conveyor: $SENT requests (batchCount $BATCH); python: $PY_SENT requests of $PY_BATCH rows"

printf '\n%-10s %10s %9s %9s %12s %10s\n' client "rows/s" "wall s" "CPU s" "CPU µs/row" "RSS MB"
for name in conveyor python; do
    awk -v n="$N" -v w="${wall[$name]}" -v c="${cpu[$name]}" -v r="${rss[$name]}" -v name="$name" \
        'BEGIN {printf "%-10s %10d %9.2f %9.2f %12.1f %10s\n", name, (w > 0 ? n / w : 0), w, c, c * 1e6 / n, r}'
done
awk -v a="${wall[conveyor]}" -v b="${wall[python]}" -v ca="${cpu[conveyor]}" -v cb="${cpu[python]}" \
    'BEGIN {printf "\nconveyor vs python: wall %.2fx, client CPU %.2fx (below 1 = conveyor faster)\n", a / b, ca / cb}'
for table in conveyor python; do
    count=$("$PYTHON" "$ROOT/scripts/bq.py" count "bench.$table")
    echo "bench.$table: $count rows"
    [ "$count" = "$N" ] || { echo "expected $N rows in bench.$table" >&2; exit 1; }
done
echo
result insert-all "$N" wall_s "${wall[conveyor]}" python "${wall[python]}"
result insert-all "$N" client_cpu_s "${cpu[conveyor]}" python "${cpu[python]}"
result insert-all "$N" peak_rss_mb "${rss[conveyor]}" python "${rss[python]}"
result insert-all "$N" cpu_us_per_row "$(awk -v n="$N" -v c="${cpu[conveyor]}" 'BEGIN {printf "%.3f", c * 1000000 / n}')" python "$(awk -v n="$N" -v c="${cpu[python]}" 'BEGIN {printf "%.3f", c * 1000000 / n}')"
result insert-all "$N" requests "$SENT" python "$PY_SENT"
