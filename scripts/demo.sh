#!/usr/bin/env bash
# The demo: runs the sample process `orders-to-bigquery` against the local BigQuery emulator,
# then shows the rows as the official Python client reads them back, and the tracked fields.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf '\n==> %s\n' "$*"; }

"$root/scripts/setup.sh"
say "building conveyor (first build takes a few minutes)"
swift build --product conveyor 2>&1 | grep -E 'error|warning: unre|Compiling|Build' | grep -v Compiling || true
conveyor="$(swift build --show-bin-path)/conveyor"
[ -x "$conveyor" ] || { echo "error: build failed" >&2; exit 1; }

state="$root/.conveyor/demo-emulator"
trap '"$root/scripts/emulator.sh" stop "$state"' EXIT
say "starting the local BigQuery emulator"
eval "$("$root/scripts/emulator.sh" start "$state")"
echo "BigQuery REST at $BIGQUERY_EMULATOR_HOST"
python="$root/.venv-bq/bin/python"
"$python" scripts/bq.py create-table sales.orders samples/orders-table.json

say "conveyor validate"
"$conveyor" validate

say "conveyor run orders-to-bigquery"
"$conveyor" run orders-to-bigquery

say "rows in demo.sales.orders, read back with the official google-cloud-bigquery client"
"$python" scripts/bq.py rows sales.orders order_id

say "conveyor executions list"
"$conveyor" executions list --limit 3

say "conveyor tracked search --field orderId=1002"
"$conveyor" tracked search --field orderId=1002
