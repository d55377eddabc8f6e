#!/usr/bin/env bash
# Reading N rows out of PostgreSQL into a file, client against client:
#   1. conveyor: a process whose start shape is a postgresql query of every row (a cursor, 1,000
#      rows per FETCH) → disk send (append) into one JSON-lines file
#   2. psql: `\copy (SELECT …) to stdout` into a file (PostgreSQL's text format: the floor)
#   3. psql: `\copy (SELECT row_to_json(t) FROM (SELECT …) t) to stdout` (JSON lines, the server encodes)
#   4. Python psycopg 3: a server-side cursor, 1,000 rows per FETCH, each row written as a JSON
#      line in conveyor's encoding (pg_query_python.py; its output must equal conveyor's byte for byte)
# The table: N rows of bigint, numeric(,2), text, timestamptz (half with a fraction), boolean, filled
# with generate_series on a private server (scripts/postgres.sh) and vacuumed before reading.
# Each client runs REPS times (default 3, interleaved); prints the median of rows/s, wall s,
# client CPU s (user + system of the client process; the server's work is not counted) and peak
# RSS (GNU time), and the ratios conveyor/peer.
#
#   bench/pg-query.sh [N]      default N = 1000000
#
# CONVEYOR_BIN selects the binary (default .build/release/conveyor, built when missing); psycopg
# (and orjson) are installed into .venv-bq when missing. Needs PostgreSQL 15, psql and /usr/bin/time.
set -euo pipefail
N=${1:-1000000}
REPS=${REPS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/workspace.sh"   # result, conveyor_binary
[ -x /usr/bin/time ] || { echo "error: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 1; }
command -v psql >/dev/null || { echo "error: psql is needed: apt-get install postgresql-client-15" >&2; exit 1; }
PYTHON="$ROOT/.venv-bq/bin/python"
[ -x "$PYTHON" ] || PYTHON=python3
"$PYTHON" -c 'import psycopg' 2>/dev/null || "$PYTHON" -m pip install -q 'psycopg[binary]'
"$PYTHON" -c 'import orjson' 2>/dev/null || "$PYTHON" -m pip install -q orjson
CONVEYOR=$(conveyor_binary "$ROOT")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/conveyor-pgquery-XXXXXX")
chmod 755 "$WORK"   # the server runs as the postgres user when this script runs as root
cleanup() {
    "$ROOT/scripts/postgres.sh" stop "$WORK/pg" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
eval "$("$ROOT/scripts/postgres.sh" start "$WORK/pg")"
SERVER=$CONVEYOR_TEST_POSTGRES
URL="${SERVER%/*}/bench"
PORT=$(echo "$SERVER" | sed -E 's#.*:([0-9]+)/.*#\1#')
export PGTZ=UTC
psql -q "$SERVER" -c "CREATE DATABASE bench"
# Every reader scans from the table's first block, so all outputs list the rows in one order.
psql -q "$SERVER" -c "ALTER DATABASE bench SET synchronize_seqscans = off"
COLUMNS_SQL="id, amount, name, created_at, even"
SELECT="SELECT $COLUMNS_SQL FROM rows"
start=$(date +%s.%N)
psql -q "$URL" -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE rows AS
  SELECT g::bigint AS id, round(g * 1.37, 2) AS amount, 'name ' || g AS name,
         '2024-01-01Z'::timestamptz + g * interval '1.5 second' AS created_at, g % 3 = 0 AS even
  FROM generate_series(1, $N) g;
VACUUM (ANALYZE) rows;
SQL
echo "$N rows filled in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}') s," \
     "table $(psql -At "$URL" -c "SELECT pg_size_pretty(pg_total_relation_size('rows'))")"

# The workspace: one process reading every row into out/rows.jsonl.
WS="$WORK/ws"
mkdir -p "$WS/processes" "$WS/connectors" "$WS/out"
cat > "$WS/connectors/db.xml" <<XML
<connection id="db" type="postgresql">
  <host>127.0.0.1</host><port>$PORT</port><database>bench</database><user>postgres</user>
  <sslmode>disable</sslmode>
</connection>
XML
cat > "$WS/connectors/read-rows.xml" <<XML
<operation id="read-rows" type="postgresql" action="query"><sql>$SELECT</sql></operation>
XML
cat > "$WS/connectors/out.xml" <<'XML'
<connection id="out" type="disk"><directory>out</directory></connection>
XML
cat > "$WS/connectors/write-rows.xml" <<'XML'
<operation id="write-rows" type="disk" action="send"><fileName>rows.jsonl</fileName><append>true</append></operation>
XML
cat > "$WS/processes/export.xml" <<'XML'
<process id="export" name="Export rows">
  <shapes>
    <start id="start" next="write"><connector connection="db" operation="read-rows"/></start>
    <connector id="write" connection="out" operation="write-rows" next="done"/>
    <stop id="done"/>
  </shapes>
</process>
XML

# Runs a command under GNU time with stdout to "$1"; prints "wall cpu rss_kb".
measure() {
    local out="$1"; shift
    /usr/bin/time -v -o "$WORK/time.log" "$@" >"$out" 2>"$WORK/last.err" || {
        echo "error: $* failed:" >&2; tail -5 "$WORK/last.err" >&2; exit 1; }
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + p[i] }
        /User time/ { cpu += $2 } /System time/ { cpu += $2 }
        /Maximum resident set size/ { rss = $2 }
        END { printf "%.2f %.2f %d\n", wall, cpu, rss }' "$WORK/time.log"
}

lines() { wc -l < "$1" | tr -d ' '; }
CLIENTS=(conveyor psql-copy psql-json psycopg)
declare -A walls cpus rsss
for rep in $(seq 1 "$REPS"); do
    rm -f "$WS/out/rows.jsonl"
    read -r w c r < <(measure "$WORK/conveyor.log" "$CONVEYOR" run export --workspace "$WS")
    grep -q COMPLETE "$WORK/conveyor.log" || { echo "error: the execution did not complete:" >&2; cat "$WORK/conveyor.log" >&2; exit 1; }
    walls[conveyor]+="$w "; cpus[conveyor]+="$c "; rsss[conveyor]+="$r "
    read -r w c r < <(measure "$WORK/copy.txt" psql -X -q "$URL" -c "\\copy ($SELECT) to stdout")
    walls[psql-copy]+="$w "; cpus[psql-copy]+="$c "; rsss[psql-copy]+="$r "
    read -r w c r < <(measure "$WORK/copy.jsonl" psql -X -q "$URL" -c "\\copy (SELECT row_to_json(t) FROM ($SELECT) t) to stdout")
    walls[psql-json]+="$w "; cpus[psql-json]+="$c "; rsss[psql-json]+="$r "
    read -r w c r < <(measure "$WORK/psycopg.log" "$PYTHON" "$ROOT/bench/pg_query_python.py" "$URL" "$SELECT" "$WORK/psycopg.jsonl")
    walls[psycopg]+="$w "; cpus[psycopg]+="$c "; rsss[psycopg]+="$r "
    for file in "$WS/out/rows.jsonl" "$WORK/copy.txt" "$WORK/copy.jsonl" "$WORK/psycopg.jsonl"; do
        [ "$(lines "$file")" -eq "$N" ] || { echo "error: $file has $(lines "$file") lines, expected $N" >&2; exit 1; }
    done
    echo "run $rep of $REPS: every client wrote $N lines"
done
if cmp -s "$WS/out/rows.jsonl" "$WORK/psycopg.jsonl"; then
    echo "conveyor's and psycopg's outputs are byte-identical"
else
    echo "error: conveyor's and psycopg's outputs differ:" >&2
    cmp "$WS/out/rows.jsonl" "$WORK/psycopg.jsonl" >&2 || true
    diff <(head -3 "$WS/out/rows.jsonl") <(head -3 "$WORK/psycopg.jsonl") >&2 || true
    exit 1
fi
echo "a line of each: "
for file in "$WS/out/rows.jsonl" "$WORK/copy.txt" "$WORK/copy.jsonl"; do sed -n 2p "$file"; done
echo "output MB: conveyor $(du -m "$WS/out/rows.jsonl" | cut -f1), copy $(du -m "$WORK/copy.txt" | cut -f1)," \
     "row_to_json $(du -m "$WORK/copy.jsonl" | cut -f1)"

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
declare -A wall cpu rss rate
echo
printf '%-10s %10s %9s %9s %10s   (median of %s; all runs: wall s)\n' client "rows/s" "wall s" "CPU s" "RSS MB" "$REPS"
for name in "${CLIENTS[@]}"; do
    wall[$name]=$(echo "${walls[$name]}" | median)
    cpu[$name]=$(echo "${cpus[$name]}" | median)
    rss[$name]=$(echo "${rsss[$name]}" | median | awk '{printf "%.1f", $1 / 1024}')
    rate[$name]=$(awk -v n="$N" -v w="${wall[$name]}" 'BEGIN {printf "%d", (w > 0 ? n / w : 0)}')
    printf '%-10s %10s %9s %9s %10s   %s\n' "$name" "${rate[$name]}" "${wall[$name]}" "${cpu[$name]}" "${rss[$name]}" "${walls[$name]}"
done
echo
for other in psql-copy psql-json psycopg; do
    awk -v a="${wall[conveyor]}" -v b="${wall[$other]}" -v ca="${cpu[conveyor]}" -v cb="${cpu[$other]}" \
        -v ra="${rss[conveyor]}" -v rb="${rss[$other]}" -v o="$other" \
        'BEGIN {printf "conveyor vs %-9s wall %.2fx  CPU %.2fx  RSS %.2fx  (below 1 = conveyor needs less)\n", o, a / b, ca / (cb > 0 ? cb : 0.01), ra / rb}'
done
echo
for other in psql-copy psql-json psycopg; do
    result pg-query "$N" rows_per_s "${rate[conveyor]}" "$other" "${rate[$other]}"
    result pg-query "$N" wall_s "${wall[conveyor]}" "$other" "${wall[$other]}"
    result pg-query "$N" client_cpu_s "${cpu[conveyor]}" "$other" "${cpu[$other]}"
    result pg-query "$N" peak_rss_mb "${rss[conveyor]}" "$other" "${rss[$other]}"
done
