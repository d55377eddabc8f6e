#!/usr/bin/env bash
# Tracked-field search on a large audit log.
#
# usage: bench/tracked-search.sh [N]   (N tracked records, default 10,000,000)
# Fills a fresh store with N tracked-field records (1000 executions, four fields per document,
# distinct orderIds) through bench/tracked_fill.py, which writes the rows straight into SQLite
# with the same hashes the store computes; `conveyor audit verify` then checks the whole chain.
# Prints the fill time, the store size, the query plan of the search, and the time of
# `conveyor tracked search --field orderId=<the middle order>`: the search itself (--timing,
# the library call) and the whole command (process start included), best and median of 7.
# Environment: KEEP=1 keeps the temporary directory, REBUILD=1 rebuilds, VERIFY=0 skips the verify.
set -euo pipefail
N=${1:-10000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/workspace.sh"
PYTHON="$ROOT/.venv-bq/bin/python"
[ -x "$PYTHON" ] || PYTHON=python3
CONVEYOR=$(conveyor_binary "$ROOT")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/conveyor-tracked-XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/ws"
DB="$WORK/ws/.conveyor/executions.sqlite"
"$CONVEYOR" audit verify --workspace "$WORK/ws" > /dev/null   # creates the store and its schema

ms() { date +%s%N; }
t0=$(ms)
ORDER=$("$PYTHON" "$ROOT/bench/tracked_fill.py" "$DB" "$N")
t1=$(ms)
FILL_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
SIZE_MB=$(du -m "$DB" | cut -f1)
echo "filled $N tracked records in ${FILL_S} s ($(awk -v n="$N" -v s="$FILL_S" 'BEGIN {printf "%d", n / s}') records/s), store ${SIZE_MB} MB"

echo
echo "query plan of the search:"
sqlite3 "$DB" "EXPLAIN QUERY PLAN
SELECT DISTINCT d.id, e.id, t.value, e.start_time FROM tracked_values t
JOIN documents d ON d.id = t.document_id
JOIN executions e ON e.id = d.execution_id
WHERE t.name = 'orderId' AND t.value = '$ORDER'
ORDER BY e.start_time DESC, d.id DESC LIMIT 100"

echo
"$CONVEYOR" tracked search --field "orderId=$ORDER" --workspace "$WORK/ws"
library=() command=()
for _ in 1 2 3 4 5 6 7; do
    start=$(ms)
    took=$("$CONVEYOR" tracked search --timing --field "orderId=$ORDER" --workspace "$WORK/ws" 2>&1 >/dev/null)
    end=$(ms)
    library+=("$(echo "$took" | awk '{print $3}')")
    command+=("$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", (b - a) / 1e6}')")
done
stats() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {printf "best %s ms, median %s ms", v[1], v[int((NR+1)/2)]}'; }
echo
echo "search orderId=$ORDER among $N records:"
echo "  library call (searchTracked): $(stats "${library[@]}")"
echo "  whole command:                $(stats "${command[@]}")"
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
results=("$(result tracked-search "$N" fill_s "$FILL_S")" "$(result tracked-search "$N" store_mb "$SIZE_MB")"
         "$(result tracked-search "$N" search_library_median_ms "$(median "${library[@]}")")"
         "$(result tracked-search "$N" search_command_median_ms "$(median "${command[@]}")")")

if [ "${VERIFY:-1}" != 0 ]; then
    echo
    t0=$(ms)
    "$CONVEYOR" audit verify --workspace "$WORK/ws"
    t1=$(ms)
    VERIFY_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
    echo "audit verify: $VERIFY_S s"
    results+=("$(result tracked-search "$N" audit_verify_s "$VERIFY_S")")
fi
echo
printf '%s\n' "${results[@]}"
