#!/usr/bin/env bash
# Runs the whole test suite: installs what it needs (Debian packages, the emulator's virtualenv),
# starts the local BigQuery emulator and a private PostgreSQL server (scripts/postgres.sh;
# CONVEYOR_TEST_POSTGRES), runs `swift test`, runs the suites that use the execution store again on
# PostgreSQL (CONVEYOR_TEST_STORE=postgres), and stops both servers afterwards.
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

# Every file the tests write under the temporary directory goes into one folder of this run,
# removed at the end (KEEP_TEST_FILES=1 keeps it): a run leaves nothing behind in /tmp. The
# postgres user must reach the private servers' folders the tests make in it.
run_tmp="$(mktemp -d "${TMPDIR:-/tmp}/conveyor-tests.XXXXXX")"
chmod 0755 "$run_tmp"
export TMPDIR="$run_tmp"

state="$root/.conveyor/test-emulator"
pg_state="$root/.conveyor/test-postgres"
# Run as root, PostgreSQL runs as the postgres user, which must reach its directory: when the clone
# is closed to that user (e.g. under /root), the server's directory goes under /tmp instead.
if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$root/.conveyor"
    if ! runuser -u postgres -- test -x "$root/.conveyor" 2>/dev/null; then
        pg_state="$(mktemp -d "${TMPDIR:-/tmp}/conveyor-test-postgres.XXXXXX")"
    fi
fi
stop_servers() {
    "$root/scripts/emulator.sh" stop "$state" || true
    "$root/scripts/postgres.sh" stop "$pg_state" || true
    if [ -z "${KEEP_TEST_FILES:-}" ]; then
        # A test stopped half-way may have left a small tmpfs mounted in the folder.
        findmnt -rn -o TARGET | grep -F "$run_tmp/" | sort -r | xargs -r umount -l 2>/dev/null || true
        rm -rf "$run_tmp"
    else
        echo "test files kept in $run_tmp" >&2
    fi
}
trap stop_servers EXIT
say "starting the local BigQuery emulator"
eval "$("$root/scripts/emulator.sh" start "$state")"

# The tests of the PostgreSQL execution store need this server: no server, no test run.
say "starting PostgreSQL"
if ! pg_env="$("$root/scripts/postgres.sh" start "$pg_state")"; then
    echo "error: PostgreSQL did not start (see above); the tests need it (CONVEYOR_TEST_POSTGRES)" >&2
    exit 1
fi
eval "$pg_env"
export CONVEYOR_TEST_POSTGRES

export CONVEYOR_PYTHON="$root/.venv-bq/bin/python"
export CONVEYOR_BIN="$(swift build --show-bin-path)/conveyor"
say "running the tests"
status=0
# Suites that run last, each alone: the exactly-once ownership races (whose timing a loaded emulator
# upsets) and change data capture (private PostgreSQL servers, 10,000 changes, hosts killed on purpose).
alone_suites="ExactlyOnceOwnershipTests ChangeCaptureEndToEndTests"
alone_pattern="ExactlyOnceOwnershipTests|ChangeCaptureEndToEndTests"
# Without options the end-to-end suite runs in a process of its own: its tests wait for commands,
# servers and browsers, and in one process with the in-process hosts of the other suites they would
# hold the shared task pool's few threads (as many as cores) long enough for those hosts' HTTP tests
# to time out.
if [ "$#" -gt 0 ]; then
    swift test --skip-build "$@" || status=$?
else
    swift test --skip-build --skip EndToEndTests || status=$?
    swift test --skip-build --filter EndToEndTests --skip "$alone_pattern" || status=$?
    for suite in $alone_suites; do
        swift test --skip-build --filter "$suite" || status=$?
    done
fi

# The suites that use the execution store run a second time with the store on PostgreSQL
# (CONVEYOR_TEST_STORE=postgres: each test's store is a fresh database on the server above). The
# other suites never open the store, so running them again would prove nothing new. Options given
# to this script (e.g. --filter) choose the tests of both runs.
# Each of the three suites runs in a process of its own: on PostgreSQL a store call waits for a
# round trip on a thread of the process's shared task pool (as many threads as cores), so the
# store tests' concurrent writers and the end-to-end tests waiting for their commands keep every
# such thread busy long enough for an HTTP test of the in-process host to time out waiting for one.
say "running the tests again on PostgreSQL"
# A fresh emulator: it keeps every table the first run made in memory (gigabytes after a full run).
"$root/scripts/emulator.sh" stop "$state" || true
eval "$("$root/scripts/emulator.sh" start "$state")"
if [ "$#" -gt 0 ]; then
    CONVEYOR_TEST_STORE=postgres swift test --skip-build "$@" || status=$?
else
    for suite in ExecutionStoreTests HostServiceTests; do
        CONVEYOR_TEST_STORE=postgres swift test --skip-build --filter "$suite" || status=$?
    done
    CONVEYOR_TEST_STORE=postgres swift test --skip-build --filter EndToEndTests --skip "$alone_pattern" || status=$?
    for suite in $alone_suites; do
        CONVEYOR_TEST_STORE=postgres swift test --skip-build --filter "$suite" || status=$?
    done
fi
exit "$status"
