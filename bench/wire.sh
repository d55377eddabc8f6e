#!/usr/bin/env bash
# How close the insert-all client comes to the wire: conveyor against a local nginx answering every
# POST with a fixed insertAll response, next to plain clients posting the same bytes.
#
# usage: bench/wire.sh [N]   (N rows, default 1,000,000)
# Starts nginx (no root: config, pid, logs and temp files in a temporary directory; one worker) on
# a free loopback port, answering every request with 200 {"kind":"bigquery#tableDataInsertAllResponse"}
# after reading the body. Generates N rows (gen_rows.py) and runs, one after the other:
#   conveyor  `conveyor run` (disk get json-lines -> map -> streaming-insert insert-all, batchCount
#             BATCH, up to four requests in flight) with BIGQUERY_EMULATOR_HOST pointing at nginx;
#   curl      one curl process posting pre-built request bodies of the same rows over one connection,
#             as many requests as conveyor sent (nginx's access log counts them);
#   python    http.client posting the same pre-built bodies over one keep-alive connection (timed
#             inside the process, building the bodies excluded).
# Prints MB of row JSON (the NDJSON bytes) per client CPU second and per wall second, and ratios.
# Environment: BATCH (default 10000), KEEP=1, REBUILD=1, CONVEYOR_BIN as in the other scripts.
set -euo pipefail
N=${1:-1000000}
BATCH=${BATCH:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/workspace.sh"
PYTHON="$ROOT/.venv-bq/bin/python"
[ -x "$PYTHON" ] || PYTHON=python3
NGINX=$(command -v nginx || true)
[ -n "$NGINX" ] || [ ! -x /usr/sbin/nginx ] || NGINX=/usr/sbin/nginx
if [ -z "$NGINX" ]; then
    echo "error: bench/wire.sh needs nginx: apt-get install nginx-light (or nginx); it is run as the current user, no service is used" >&2
    exit 1
fi
CONVEYOR=$(conveyor_binary "$ROOT")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/conveyor-bench-wire-XXXXXX")
nginx_pid=""
cleanup() {
    [ -z "$nginx_pid" ] || { kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null; } || true
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/nginx/tmp"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 64; }
http {
    log_format sizes '\$status \$content_length';
    access_log $WORK/nginx/access.log sizes;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    client_max_body_size 20m;
    client_body_buffer_size 20m;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$PORT;
        location / {
            client_body_in_single_buffer on;
            default_type application/json;
            return 200 '{"kind":"bigquery#tableDataInsertAllResponse"}';
        }
    }
}
CONF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
nginx_pid=$!
URL_PATH=/bigquery/v2/projects/demo/datasets/bench/tables/wire/insertAll
for _ in $(seq 1 50); do
    curl -sf -o /dev/null -X POST --data-binary '{"rows":[]}' "http://127.0.0.1:$PORT$URL_PATH" && break
    sleep 0.1
done
# The body must be read whole and answered: a 5 MB request twice over one connection.
head -c 5000000 /dev/zero | tr '\0' 'x' > "$WORK/probe"
probe=$(curl -sf -o /dev/null -w '%{http_code}:%{size_upload} ' --data-binary @"$WORK/probe" "http://127.0.0.1:$PORT$URL_PATH" \
    --next -sf -o /dev/null -w '%{http_code}:%{size_upload}:%{num_connects}' --data-binary @"$WORK/probe" "http://127.0.0.1:$PORT$URL_PATH")
[ "$probe" = "200:5000000 200:5000000:0" ] || { echo "error: nginx did not answer as expected: $probe" >&2; exit 1; }
rm -f "$WORK/probe"
# Checks that the last client sent every row (only answered requests, at least the row bytes in
# all, and "$2" requests unless empty); sets SENT to their number and empties the log.
check_sent() {
    SENT=$(awk -v want="${2:-0}" -v bytes="$BYTES" -v who="$1" '
        $1 == 200 { n++; total += $2 } $1 != 200 { bad++ }
        END { if ((want && n != want) || bad || total < bytes) { printf "error: %s: %d requests answered 200 (expected %s), %d others, %d bytes\n", who, n, want, bad, total > "/dev/stderr"; exit 1 } print n }' \
        "$WORK/nginx/access.log") || exit 1
    : > "$WORK/nginx/access.log"
}
echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') on 127.0.0.1:$PORT"

ws="$WORK/ws"
make_insert_workspace "$ws" bench wire insert-all "$BATCH"
"$PYTHON" "$ROOT/bench/gen_rows.py" "$N" "$ws/data/rows.ndjson"
BYTES=$(stat -c %s "$ws/data/rows.ndjson")
MB=$(awk -v b="$BYTES" 'BEGIN {printf "%.1f", b / 1e6}')
echo "$N rows, $MB MB of row JSON, $(( BYTES / N )) bytes a row"
: > "$WORK/nginx/access.log"

declare -A wall cpu rss
BIGQUERY_EMULATOR_HOST="127.0.0.1:$PORT" timed "$CONVEYOR" run bench --workspace "$ws" --json \
    || { echo "conveyor failed" >&2; exit 1; }
wall[conveyor]=$WALL; cpu[conveyor]=$CPU; rss[conveyor]=$RSS
check_sent conveyor
CONVEYOR_SENT=$SENT
# The peers send as many requests as conveyor did (it cuts requests per chunk of about 1,000
# documents the engine hands the shape), of N / requests rows each.
PEER_BATCH=$(( (N + CONVEYOR_SENT - 1) / CONVEYOR_SENT ))
PEER_REQUESTS=$(( (N + PEER_BATCH - 1) / PEER_BATCH ))
echo "conveyor: $CONVEYOR_SENT requests (batchCount $BATCH); curl and python: $PEER_REQUESTS requests of $PEER_BATCH rows"
mkdir -p "$WORK/bodies"
"$PYTHON" "$ROOT/bench/wire_peer.py" bodies "$ws/data/rows.ndjson" "$PEER_BATCH" "http://127.0.0.1:$PORT$URL_PATH" "$WORK/bodies"
cat "$WORK"/bodies/body-*.json > /dev/null   # into the page cache
timed curl -K "$WORK/bodies/curl.conf" || { echo "curl failed" >&2; exit 1; }
wall[curl]=$WALL; cpu[curl]=$CPU; rss[curl]=$RSS
check_sent curl "$PEER_REQUESTS"
read -r wall[python] cpu[python] _ < <("$PYTHON" "$ROOT/bench/wire_peer.py" post "$ws/data/rows.ndjson" "$PEER_BATCH" "127.0.0.1:$PORT" "$URL_PATH")
rss[python]=-
check_sent python "$PEER_REQUESTS"

printf '\n%-10s %9s %9s %14s %15s %10s\n' client "wall s" "CPU s" "MB/s per CPU" "MB/s wall" "RSS MB"
declare -A per_cpu per_wall
for name in conveyor curl python; do
    per_cpu[$name]=$(awk -v m="$MB" -v c="${cpu[$name]}" 'BEGIN {printf "%.1f", (c > 0 ? m / c : 0)}')
    per_wall[$name]=$(awk -v m="$MB" -v w="${wall[$name]}" 'BEGIN {printf "%.1f", (w > 0 ? m / w : 0)}')
    printf '%-10s %9s %9s %14s %15s %10s\n' "$name" "${wall[$name]}" "${cpu[$name]}" "${per_cpu[$name]}" "${per_wall[$name]}" "${rss[$name]}"
done
echo
for other in curl python; do
    awk -v a="${per_cpu[conveyor]}" -v b="${per_cpu[$other]}" -v c="${per_wall[conveyor]}" -v d="${per_wall[$other]}" -v o="$other" \
        'BEGIN {printf "conveyor vs %-7s MB/s per CPU s %.2fx, MB/s wall %.2fx (1 = as fast as the wire peer)\n", o, a / b, c / d}'
done
echo "(conveyor reads the file, splits, maps and serialises each row; the peers only send pre-built bytes)"
echo
result wire "$N" mb_per_cpu_s "${per_cpu[conveyor]}" curl "${per_cpu[curl]}"
result wire "$N" mb_per_wall_s "${per_wall[conveyor]}" curl "${per_wall[curl]}"
result wire "$N" mb_per_cpu_s "${per_cpu[conveyor]}" python-http.client "${per_cpu[python]}"
result wire "$N" mb_per_wall_s "${per_wall[conveyor]}" python-http.client "${per_wall[python]}"
result wire "$N" requests "$CONVEYOR_SENT" curl "$PEER_REQUESTS"
