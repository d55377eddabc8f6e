#!/usr/bin/env bash
# Starts or stops the local BigQuery emulator on free ports.
#   scripts/emulator.sh start [STATE_DIR]   prints `export` lines (REST and gRPC addresses) and waits until ready
#   scripts/emulator.sh stop  [STATE_DIR]
# STATE_DIR (default .conveyor/emulator) holds its pid, log and addresses.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${2:-$root/.conveyor/emulator}"
mkdir -p "$state"
state="$(cd "$state" && pwd)"
venv="$root/.venv-bq"

case "${1:-}" in
start)
    mkdir -p "$state"
    if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then
        cat "$state/env"
        exit 0
    fi
    : > "$state/log"
    (cd "$state" && exec "$venv/bin/python" "$root/scripts/emulator_server.py" start --project demo --rest-port 0 --grpc-port 0 \
        --log-level info --log-format json >>"$state/log" 2>&1) &
    echo $! > "$state/pid"
    rest="" grpc=""
    for _ in $(seq 1 600); do
        rest=$(grep -o '"port": [0-9]*, "event": "rest.listen"' "$state/log" | grep -o '[0-9]\+' | head -1 || true)
        grpc=$(grep -o '"port": [0-9]*, "event": "grpc.listen"' "$state/log" | grep -o '[0-9]\+' | head -1 || true)
        if [ -n "$rest" ] && [ -n "$grpc" ] && curl -sf "http://127.0.0.1:$rest/bigquery/v2/projects/demo/datasets" >/dev/null; then
            break
        fi
        if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then
            echo "error: the BigQuery emulator exited while starting; its log:" >&2
            tail -20 "$state/log" >&2
            exit 1
        fi
        sleep 0.1
    done
    if [ -z "$rest" ] || [ -z "$grpc" ]; then
        echo "error: the BigQuery emulator did not become ready in 60 s; log: $state/log" >&2
        exit 1
    fi
    printf 'export BIGQUERY_EMULATOR_HOST=127.0.0.1:%s\nexport BIGQUERY_STORAGE_EMULATOR_HOST=127.0.0.1:%s\n' "$rest" "$grpc" | tee "$state/env"
    ;;
stop)
    if [ -f "$state/pid" ]; then
        pid=$(cat "$state/pid")
        pkill -TERM -P "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$state/pid" "$state/env"
    fi
    ;;
*)
    echo "usage: scripts/emulator.sh start|stop [STATE_DIR]" >&2
    exit 2
    ;;
esac
