#!/usr/bin/env bash
# GET of N small JSON resources: conveyor's http connector against Python requests and httpx.
#
# usage: bench/http-get.sh [N] [IN_FLIGHT]   (default 100,000 resources, 8 in flight)
# Serves GET /items/ID from a keep-alive Python server on loopback (bench/http_items_server.py),
# then fetches /items/1..N with `conveyor run` (disk get of N ids -> setProperties -> http send
# with <maxInFlight>IN_FLIGHT</maxInFlight>), with requests (a Session per thread) and with httpx
# (one Client), IN_FLIGHT threads each. Prints requests/s, wall s, client CPU s and CPU µs per
# request. The server runs on the same machine, so its CPU limits all three alike.
# Environment: CONVEYOR_BIN (default: the release build), KEEP=1 keeps the temporary directory.
set -euo pipefail
N=${1:-100000}
IN_FLIGHT=${2:-8}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/workspace.sh"
PYTHON="$ROOT/.venv-bq/bin/python"
[ -x "$PYTHON" ] || PYTHON=python3
"$PYTHON" -c 'import requests, httpx' 2>/dev/null || "$PYTHON" -m pip install -q requests httpx
CONVEYOR=$(conveyor_binary "$ROOT")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/conveyor-bench-XXXXXX")
"$PYTHON" "$ROOT/bench/http_items_server.py" "$WORK/port" & SERVER=$!
trap 'kill $SERVER 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
BASE="http://127.0.0.1:$(cat "$WORK/port")"

ws="$WORK/ws"
mkdir -p "$ws/processes" "$ws/connectors" "$ws/in"
seq 1 "$N" | awk '{printf "{\"id\":%d}\n", $1}' > "$ws/in/ids.jsonl"
cat > "$ws/connectors/inbox.xml" <<XML
<connection id="inbox" type="disk"><directory>in</directory></connection>
XML
cat > "$ws/connectors/read.xml" <<XML
<operation id="read" type="disk" action="get"><filePattern>ids.jsonl</filePattern><split by="json-lines"/></operation>
XML
cat > "$ws/connectors/api.xml" <<XML
<connection id="api" type="http"><baseUrl>$BASE</baseUrl><maxInFlight>$IN_FLIGHT</maxInFlight></connection>
XML
cat > "$ws/connectors/item.xml" <<XML
<operation id="item" type="http" action="send"><path>/items/{id}</path></operation>
XML
cat > "$ws/processes/bench.xml" <<XML
<process id="bench" name="GET items">
  <shapes>
    <start id="start" next="tag"><connector connection="inbox" operation="read"/></start>
    <setProperties id="tag" next="get">
      <property scope="document" name="id"><value source="profile" path="/id"/></property>
    </setProperties>
    <connector id="get" connection="api" operation="item" next="done"/>
    <stop id="done"/>
  </shapes>
</process>
XML

declare -A wall cpu rss
run() {
    local name="$1"; shift
    timed "$@" || { echo "$name failed" >&2; exit 1; }
    wall[$name]=$WALL; cpu[$name]=$CPU; rss[$name]=$RSS
}
run conveyor "$CONVEYOR" run bench --workspace "$ws"
run requests "$PYTHON" "$ROOT/bench/http_get_python.py" requests "$BASE" "$N" "$IN_FLIGHT"
run httpx "$PYTHON" "$ROOT/bench/http_get_python.py" httpx "$BASE" "$N" "$IN_FLIGHT"

echo "$N GETs of ~50-byte JSON resources, $IN_FLIGHT in flight, keep-alive, server on the same machine"
printf '\n%-10s %10s %9s %12s %14s %10s\n' client "req/s" "wall s" "client CPU s" "CPU µs/req" "RSS MB"
for name in conveyor requests httpx; do
    rate=$(awk -v n="$N" -v w="${wall[$name]}" 'BEGIN {printf "%d", (w > 0 ? n / w : 0)}')
    per=$(awk -v n="$N" -v c="${cpu[$name]}" 'BEGIN {printf "%d", c * 1000000 / n}')
    printf '%-10s %10s %9s %12s %14s %10s\n' "$name" "$rate" "${wall[$name]}" "${cpu[$name]}" "$per" "${rss[$name]}"
done
echo
for other in requests httpx; do
    for metric in requests_per_s cpu_us_per_request client_cpu_s peak_rss_mb; do
        value() {
            case "$metric" in
            requests_per_s) awk -v n="$N" -v w="${wall[$1]}" 'BEGIN {printf "%d", (w > 0 ? n / w : 0)}' ;;
            cpu_us_per_request) awk -v n="$N" -v c="${cpu[$1]}" 'BEGIN {printf "%d", c * 1000000 / n}' ;;
            client_cpu_s) echo "${cpu[$1]}" ;;
            peak_rss_mb) echo "${rss[$1]}" ;;
            esac
        }
        result http-get "$N" "$metric" "$(value conveyor)" "$other" "$(value "$other")"
    done
done
