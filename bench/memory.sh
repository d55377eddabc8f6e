#!/usr/bin/env bash
# Peak memory of `conveyor run` on the bench pipeline at growing N: it should stay flat
# (goal: under 100 MB whatever N).
#
# usage: bench/memory.sh [N...]   (default: 100000 1000000 10000000)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/workspace.sh"
PYTHON="$ROOT/.venv-bq/bin/python"
[ -x "$PYTHON" ] || PYTHON=python3
CONVEYOR=$(conveyor_binary "$ROOT")
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100000 1000000 10000000)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/conveyor-memory-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
results=()
printf '%-10s %10s %12s %9s %10s\n' N "input MB" "docs/s" "wall s" "RSS MB"
for N in "${SIZES[@]}"; do
    rm -rf "$WORK/ws"
    make_workspace "$WORK/ws"
    "$PYTHON" "$ROOT/bench/gen_orders.py" "$N" "$WORK/ws/orders.ndjson"
    SIZE=$(du -m "$WORK/ws/orders.ndjson" | cut -f1)
    timed "$CONVEYOR" run bench --workspace "$WORK/ws" || { echo "conveyor failed at N=$N" >&2; exit 1; }
    rate=$(awk -v n="$N" -v w="$WALL" 'BEGIN {printf "%d", (w > 0 ? n / w : 0)}')
    printf '%-10s %10s %12s %9s %10s\n' "$N" "$SIZE" "$rate" "$WALL" "$RSS"
    results+=("$(result memory "$N" peak_rss_mb "$RSS")" "$(result memory "$N" docs_per_s "$rate")")
done
echo
printf '%s\n' "${results[@]}"
