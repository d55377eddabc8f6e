#!/usr/bin/env bash
# Runs the whole test suite: installs what it needs (Debian packages, the emulator's virtualenv),
# starts the local BigQuery emulator, runs `swift test`, and stops the emulator afterwards.
# The OAuth token endpoint (scripts/token_server.py) is started by the tests that use it, each
# with its own freshly generated key.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf '==> %s\n' "$*"; }

"$root/scripts/setup.sh"

say "building (debug) with tests"
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Wrapping|Write|Linking|Building|Merging)' || true
swift build --build-tests >/dev/null

state="$root/.conveyor/test-emulator"
trap '"$root/scripts/emulator.sh" stop "$state"' EXIT
say "starting the local BigQuery emulator"
eval "$("$root/scripts/emulator.sh" start "$state")"

export CONVEYOR_PYTHON="$root/.venv-bq/bin/python"
export CONVEYOR_BIN="$(swift build --show-bin-path)/conveyor"
say "running the tests"
swift test --skip-build "$@"
