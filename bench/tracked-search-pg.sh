#!/usr/bin/env bash
# Tracked-field search on a large audit log in PostgreSQL.
#
# usage: bench/tracked-search-pg.sh [N]   (N tracked records, default 10,000,000)
# Fills a fresh SQLite store with N tracked-field records exactly as bench/tracked-search.sh does
# (bench/tracked_fill.py), copies it into an empty PostgreSQL database (a private server started
# with scripts/postgres.sh in a temporary directory) with `conveyor store migrate --to URL` (timed:
# rows/s of the copy as the command reports it, and the whole command, its audit verify of the
# target included), then times `conveyor tracked search --field orderId=<the middle order>
# --store URL` as bench/tracked-search.sh does on SQLite: the library call (--timing) and the whole
# command, best and median of 7. Prints EXPLAIN ANALYZE of the search query (psql).
# Environment: KEEP=1 keeps the temporary directory, CONVEYOR_BIN.
set -euo pipefail
shopt -s inherit_errexit
N=${1:-10000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/workspace.sh"
PYTHON="$ROOT/.venv-bq/bin/python"
[ -x "$PYTHON" ] || PYTHON=python3
CONVEYOR=$(conveyor_binary "$ROOT")
command -v psql > /dev/null || { echo "error: psql is not installed" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/conveyor-tracked-pg-XXXXXX")
chmod 755 "$WORK"   # the PostgreSQL server (run as its own user when we are root) reaches its directory
cleanup() {
    "$ROOT/scripts/postgres.sh" stop "$WORK/pg" > /dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/ws"
DB="$WORK/ws/.conveyor/executions.sqlite"
"$CONVEYOR" audit verify --workspace "$WORK/ws" > /dev/null   # creates the store and its schema

ms() { date +%s%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) / 1e9}'; }
t0=$(ms)
ORDER=$("$PYTHON" "$ROOT/bench/tracked_fill.py" "$DB" "$N")
t1=$(ms)
echo "filled $N tracked records into SQLite in $(seconds "$t0" "$t1") s, store $(du -m "$DB" | cut -f1) MB"

eval "$("$ROOT/scripts/postgres.sh" start "$WORK/pg")"
psql -q "$CONVEYOR_TEST_POSTGRES" -c "CREATE DATABASE tracked" > /dev/null
STORE="${CONVEYOR_TEST_POSTGRES%/*}/tracked"

echo
t0=$(ms)
"$CONVEYOR" store migrate --workspace "$WORK/ws" --to "$STORE" > "$WORK/migrate.out" 2> "$WORK/migrate.err" || {
    cat "$WORK/migrate.out" "$WORK/migrate.err" >&2; exit 1; }
t1=$(ms)
cat "$WORK/migrate.out"
grep -v ' of .* rows$' "$WORK/migrate.err" || true
MIGRATE_S=$(seconds "$t0" "$t1")
ROWS=$(awk '/^copied / {print $2; exit}' "$WORK/migrate.out")
COPY_S=$(sed -n 's/^copied .* in \([0-9.]*\) s .*/\1/p' "$WORK/migrate.out" | head -1)
COPY_RATE=$(awk -v n="$ROWS" -v s="$COPY_S" 'BEGIN {printf "%d", n / s}')
echo "store migrate: $ROWS rows, copy $COPY_S s ($COPY_RATE rows/s), whole command $MIGRATE_S s (audit verify of the target included)"
echo "PostgreSQL database: $(psql -tAq "$STORE" -c "SELECT pg_size_pretty(pg_database_size('tracked'))")"
psql -q "$STORE" -c "ANALYZE" > /dev/null

echo
echo "EXPLAIN ANALYZE of the search (after ANALYZE):"
psql -q "$STORE" -c "EXPLAIN (ANALYZE, BUFFERS)
SELECT DISTINCT d.id, e.id, t.value, e.start_time FROM tracked_values t
JOIN documents d ON d.id = t.document_id
JOIN executions e ON e.id = d.execution_id
WHERE t.name = 'orderId' AND t.value IN ('$ORDER', '$ORDER')
ORDER BY e.start_time DESC, d.id DESC LIMIT 100"

echo
"$CONVEYOR" tracked search --field "orderId=$ORDER" --workspace "$WORK/ws" --store "$STORE"
library=() command=()
for _ in 1 2 3 4 5 6 7; do
    start=$(ms)
    took=$("$CONVEYOR" tracked search --timing --field "orderId=$ORDER" --workspace "$WORK/ws" --store "$STORE" 2>&1 >/dev/null)
    end=$(ms)
    library+=("$(echo "$took" | awk '{print $3}')")
    command+=("$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", (b - a) / 1e6}')")
done
stats() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {printf "best %s ms, median %s ms", v[1], v[int((NR+1)/2)]}'; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
echo
echo "search orderId=$ORDER among $N records in PostgreSQL:"
echo "  library call (searchTracked): $(stats "${library[@]}")"
echo "  whole command:                $(stats "${command[@]}")"
echo
result tracked-search-pg "$N" migrate_rows "$ROWS"
result tracked-search-pg "$N" migrate_rows_per_s "$COPY_RATE"
result tracked-search-pg "$N" migrate_command_s "$MIGRATE_S"
result tracked-search-pg "$N" search_library_median_ms "$(median "${library[@]}")"
result tracked-search-pg "$N" search_command_median_ms "$(median "${command[@]}")"
