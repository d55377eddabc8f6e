#!/usr/bin/env bash
# The Storage Write API sink against the official Python client, on the same emulator.
#
# usage: bench/storage-write.sh [N]   (N rows, default 200,000)
# Generates N rows (id INT64, name STRING, amount NUMERIC, ts TIMESTAMP, pad 64-char STRING) as
# NDJSON; starts the emulator; writes them with `conveyor run` (release build: disk get json-lines
# -> map -> streaming-insert with <api>storage-write</api>) and then with the official Python
# client (append_rows, proto rows on _default, batches of 10,000), each into its own table;
# prints wall time and client CPU of each (the median of RUNS runs, each into its own table; CPU to
# the millisecond, see bench/timed.py), the ratios, and checks every table holds N rows.
# Environment: RUNS=n runs of each client (default 3), KEEP=1 keeps the temporary directory,
# REBUILD=1 rebuilds the binary, CONVEYOR_BIN=path uses that binary instead of the release build.
set -euo pipefail
N=${1:-200000}
RUNS=${RUNS:-3}
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
for run in $(seq "$RUNS"); do
    for client in conveyor python; do
        "$PYTHON" "$ROOT/scripts/bq.py" create-table "bench.$client$run" "$WORK/table.json" >/dev/null
    done
done

make_insert_workspace "$ws" bench conveyor1 storage-write 10000

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
declare -A wall cpu rss walls cpus rsses
run() {
    local name="$1"; shift
    timed "$@" || { echo "$name failed" >&2; exit 1; }
    walls[$name]+=" $WALL"; cpus[$name]+=" $CPU"; rsses[$name]+=" $RSS"
}
for run in $(seq "$RUNS"); do
    sed -i "s|<tableId>[^<]*</tableId>|<tableId>conveyor$run</tableId>|" "$ws/connectors/write-rows.xml"
    run conveyor "$CONVEYOR" run bench --workspace "$ws"
    run python "$PYTHON" "$ROOT/bench/storage_write_python.py" "$ws/data/rows.ndjson" "demo.bench.python$run"
done
for name in conveyor python; do
    wall[$name]=$(echo "${walls[$name]}" | median)
    cpu[$name]=$(echo "${cpus[$name]}" | median)
    rss[$name]=$(echo "${rsses[$name]}" | median)
    echo "$name runs: CPU s${cpus[$name]}, wall s${walls[$name]}"
done

printf '\n%-10s %10s %9s %9s %12s %10s   (medians of %d runs)\n' client "rows/s" "wall s" "CPU s" "CPU µs/row" "RSS MB" "$RUNS"
for name in conveyor python; do
    awk -v n="$N" -v w="${wall[$name]}" -v c="${cpu[$name]}" -v r="${rss[$name]}" -v name="$name" \
        'BEGIN {printf "%-10s %10d %9.3f %9.3f %12.2f %10s\n", name, (w > 0 ? n / w : 0), w, c, c * 1e6 / n, r}'
done
awk -v a="${wall[conveyor]}" -v b="${wall[python]}" -v ca="${cpu[conveyor]}" -v cb="${cpu[python]}" \
    'BEGIN {printf "\nconveyor vs python: wall %.2fx, client CPU %.2fx (goal: wall <= 1, CPU <= 0.20)\n", a / b, ca / cb}'
results=("$(result storage-write "$N" wall_s "${wall[conveyor]}" python "${wall[python]}")"
         "$(result storage-write "$N" client_cpu_s "${cpu[conveyor]}" python "${cpu[python]}")"
         "$(result storage-write "$N" peak_rss_mb "${rss[conveyor]}" python "${rss[python]}")"
         "$(result storage-write "$N" cpu_us_per_row "$(awk -v n="$N" -v c="${cpu[conveyor]}" 'BEGIN {printf "%.3f", c * 1000000 / n}')" python "$(awk -v n="$N" -v c="${cpu[python]}" 'BEGIN {printf "%.3f", c * 1000000 / n}')")")
for run in $(seq "$RUNS"); do
    for table in "conveyor$run" "python$run"; do
        count=$("$PYTHON" "$ROOT/scripts/bq.py" count "bench.$table")
        echo "bench.$table: $count rows"
        [ "$count" = "$N" ] || { echo "expected $N rows in bench.$table" >&2; exit 1; }
    done
done
echo
printf '%s\n' "${results[@]}"
