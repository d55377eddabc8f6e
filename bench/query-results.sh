#!/usr/bin/env bash
# Reads the results of one query job of N rows three times, one reader after the other:
#   1. conveyor: a process <input/> → google-bigquery get-query-results → disk send (append)
#   1b. conveyor without the disk shape (get-query-results → stop; "conv-ro" in the table)
#   2. the official Python client: client.get_job(id).result(page_size=1000), iterating every row
# and prints, for each, wall-clock seconds, client CPU seconds (user + system) and peak RSS
# (GNU time's "Maximum resident set size"), then conveyor/python ratios.
#
#   bench/query-results.sh [N ...]      default N = 1000000; several N show how RSS scales
#
# Uses BIGQUERY_EMULATOR_HOST when set, otherwise starts the local emulator and stops it at the end.
# CONVEYOR_BIN selects the binary (default: the release build, built when missing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${CONVEYOR_PYTHON:-$root/.venv-bq/bin/python}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000)
[ -x /usr/bin/time ] || { echo "error: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 1; }

conveyor="${CONVEYOR_BIN:-}"
if [ -z "$conveyor" ]; then
    (cd "$root" && swift build -c release --static-swift-stdlib --product conveyor >/dev/null)
    conveyor="$(cd "$root" && swift build -c release --static-swift-stdlib --show-bin-path)/conveyor"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/conveyor-bench-XXXXXX")"
cleanup() {
    [ -n "${started:-}" ] && "$root/scripts/emulator.sh" stop "$work/emulator" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
if [ -z "${BIGQUERY_EMULATOR_HOST:-}" ]; then
    eval "$("$root/scripts/emulator.sh" start "$work/emulator")"
    started=1
fi
export BIGQUERY_EMULATOR_HOST

# The workspace: read-results writes the rows into out/rows.jsonl, read-only passes them to a stop shape.
. "$root/bench/workspace.sh"
make_query_results_workspace "$work/ws"

# Runs a command under GNU time; prints "wall cpu rss_kb".
measure() {
    local log="$work/time.log"
    /usr/bin/time -v -o "$log" "$@" >"$work/last.out" 2>"$work/last.err" || {
        echo "error: $* failed:" >&2; tail -5 "$work/last.err" >&2; tail -5 "$work/last.out" >&2; exit 1; }
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + p[i] }
        /User time/ { cpu += $2 } /System time/ { cpu += $2 }
        /Maximum resident set size/ { rss = $2 }
        END { printf "%.2f %.2f %d\n", wall, cpu, rss }' "$log"
}

results=()
printf '%-9s %-8s %9s %9s %12s\n' rows reader wall_s cpu_s peak_rss_MB
for n in "${sizes[@]}"; do
    job="$("$python" "$root/bench/query_results_python.py" generate "$n")"
    rm -f "$work/ws/out/rows.jsonl"
    printf '{"jobId": "%s"}\n' "$job" > "$work/job.json"
    read -r cw cc cr < <(measure "$conveyor" run read-results --workspace "$work/ws" --input "$work/job.json")
    written=$(wc -l < "$work/ws/out/rows.jsonl")
    [ "$written" -eq "$n" ] || { echo "error: conveyor wrote $written rows, expected $n" >&2; exit 1; }
    read -r ow oc or < <(measure "$conveyor" run read-only --workspace "$work/ws" --input "$work/job.json" --json)
    grep -q "\"documentsOut\" *: *$n" "$work/last.out" || {
        echo "error: conveyor (read only) did not pass $n rows on" >&2; exit 1; }
    read -r pw pc pr < <(measure "$python" "$root/bench/query_results_python.py" read "$job")
    read_rows=$(cat "$work/last.out")
    [ "$read_rows" -eq "$n" ] || { echo "error: the Python client read $read_rows rows, expected $n" >&2; exit 1; }
    printf '%-9s %-8s %9s %9s %12.1f\n' "$n" conveyor "$cw" "$cc" "$(echo "$cr / 1024" | bc -l)"
    printf '%-9s %-8s %9s %9s %12.1f\n' "$n" conv-ro "$ow" "$oc" "$(echo "$or / 1024" | bc -l)"
    printf '%-9s %-8s %9s %9s %12.1f\n' "$n" python "$pw" "$pc" "$(echo "$pr / 1024" | bc -l)"
    printf '%-9s %-8s %9.2f %9.2f %12.2f\n' "$n" ratio "$(echo "$cw / $pw" | bc -l)" \
        "$(echo "$cc / ($pc + 0.001)" | bc -l)" "$(echo "$cr / $pr" | bc -l)"
    mb() { printf '%.1f' "$(echo "$1 / 1024" | bc -l)"; }
    results+=("$(result query-results "$n" wall_s "$cw" python "$pw")"
              "$(result query-results "$n" client_cpu_s "$cc" python "$pc")"
              "$(result query-results "$n" peak_rss_mb "$(mb "$cr")" python "$(mb "$pr")")"
              "$(result query-results "$n/no-disk" wall_s "$ow" python "$pw")"
              "$(result query-results "$n/no-disk" client_cpu_s "$oc" python "$pc")"
              "$(result query-results "$n/no-disk" peak_rss_mb "$(mb "$or")" python "$(mb "$pr")")"
              "$(result query-results "$n" cpu_us_per_row "$(awk -v n="$n" -v c="$cc" 'BEGIN {printf "%.3f", c * 1000000 / n}')" python "$(awk -v n="$n" -v c="$pc" 'BEGIN {printf "%.3f", c * 1000000 / n}')")"
              "$(result query-results "$n/no-disk" cpu_us_per_row "$(awk -v n="$n" -v c="$oc" 'BEGIN {printf "%.3f", c * 1000000 / n}')" python "$(awk -v n="$n" -v c="$pc" 'BEGIN {printf "%.3f", c * 1000000 / n}')")")
done
echo
printf '%s\n' "${results[@]}"
