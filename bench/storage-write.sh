#!/usr/bin/env bash
# The Storage Write API sink against the official Python client, on the same emulator.
#
# usage: bench/storage-write.sh [N]   (N rows, default 200,000)
# Generates N rows (id INT64, name STRING, amount NUMERIC, ts TIMESTAMP, pad 64-char STRING) as
# NDJSON; starts the emulator; writes them with `conveyor run` (release build: disk get json-lines
# -> map -> streaming-insert with <api>storage-write</api>) and then with the official Python
# client (append_rows, proto rows on _default, batches of 10,000), each into its own table;
# prints wall time and client CPU of each, the ratios, and checks both tables hold N rows.
# Environment: KEEP=1 keeps the temporary directory, REBUILD=1 rebuilds the binary,
# CONVEYOR_BIN=path uses that binary instead of the release build.
set -euo pipefail
N=${1:-200000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/workspace.sh"
PYTHON="$ROOT/.venv-bq/bin/python"
CONVEYOR=${CONVEYOR_BIN:-$(conveyor_binary "$ROOT")}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/conveyor-bench-storage-XXXXXX")
cleanup() {
    "$ROOT/scripts/emulator.sh" stop "$WORK/emulator" >/dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
eval "$("$ROOT/scripts/emulator.sh" start "$WORK/emulator")"
export BIGQUERY_EMULATOR_HOST BIGQUERY_STORAGE_EMULATOR_HOST

ws="$WORK/ws"
mkdir -p "$ws/processes" "$ws/connectors" "$ws/profiles" "$ws/data"
"$PYTHON" - "$N" "$ws/data/rows.ndjson" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as out:
    for i in range(n):
        out.write(json.dumps({"id": i, "name": f"customer-{i % 9973}", "amount": f"{i % 100000}.{i % 100:02d}",
                              "ts": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}.{i % 1000000:06d}Z",
                              "pad": f"{i:064d}"}) + "\n")
PY
cat > "$WORK/table.json" <<'JSON'
[{"name": "id", "type": "INTEGER"}, {"name": "name", "type": "STRING"}, {"name": "amount", "type": "NUMERIC"},
 {"name": "ts", "type": "TIMESTAMP"}, {"name": "pad", "type": "STRING"}]
JSON
"$PYTHON" "$ROOT/scripts/bq.py" create-table bench.conveyor "$WORK/table.json" >/dev/null
"$PYTHON" "$ROOT/scripts/bq.py" create-table bench.python "$WORK/table.json" >/dev/null

make_insert_workspace "$ws" bench conveyor storage-write 10000

declare -A wall cpu rss
run() {
    local name="$1"; shift
    timed "$@" || { echo "$name failed" >&2; exit 1; }
    wall[$name]=$WALL; cpu[$name]=$CPU; rss[$name]=$RSS
}
run conveyor "$CONVEYOR" run bench --workspace "$ws"
run python "$PYTHON" "$ROOT/bench/storage_write_python.py" "$ws/data/rows.ndjson" demo.bench.python

printf '\n%-10s %10s %9s %9s %12s %10s\n' client "rows/s" "wall s" "CPU s" "CPU µs/row" "RSS MB"
for name in conveyor python; do
    awk -v n="$N" -v w="${wall[$name]}" -v c="${cpu[$name]}" -v r="${rss[$name]}" -v name="$name" \
        'BEGIN {printf "%-10s %10d %9.2f %9.2f %12.1f %10s\n", name, (w > 0 ? n / w : 0), w, c, c * 1e6 / n, r}'
done
awk -v a="${wall[conveyor]}" -v b="${wall[python]}" -v ca="${cpu[conveyor]}" -v cb="${cpu[python]}" \
    'BEGIN {printf "\nconveyor vs python: wall %.2fx, client CPU %.2fx (goal: wall <= 1, CPU <= 0.20)\n", a / b, ca / cb}'
results=("$(result storage-write "$N" wall_s "${wall[conveyor]}" python "${wall[python]}")"
         "$(result storage-write "$N" client_cpu_s "${cpu[conveyor]}" python "${cpu[python]}")"
         "$(result storage-write "$N" peak_rss_mb "${rss[conveyor]}" python "${rss[python]}")"
         "$(result storage-write "$N" cpu_us_per_row "$(awk -v n="$N" -v c="${cpu[conveyor]}" 'BEGIN {printf "%.3f", c * 1000000 / n}')" python "$(awk -v n="$N" -v c="${cpu[python]}" 'BEGIN {printf "%.3f", c * 1000000 / n}')")")
for table in conveyor python; do
    count=$("$PYTHON" "$ROOT/scripts/bq.py" count "bench.$table")
    echo "bench.$table: $count rows"
    [ "$count" = "$N" ] || { echo "expected $N rows in bench.$table" >&2; exit 1; }
done
echo
printf '%s\n' "${results[@]}"
