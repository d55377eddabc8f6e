#!/usr/bin/env bash
# Starts or stops a private PostgreSQL 15 server for the tests, on a free loopback port.
#   scripts/postgres.sh start [STATE_DIR]   initialises STATE_DIR/data when new, starts the server and
#                                           prints `export CONVEYOR_TEST_POSTGRES=postgres://…` (for eval)
#   scripts/postgres.sh stop  [STATE_DIR]   stops the server and removes STATE_DIR
# STATE_DIR (default .conveyor/postgres) holds the data directory, the server's log (postgres.log),
# its unix socket and the export line (env). Run as root, the server runs as the `postgres` system
# user (PostgreSQL refuses to run as root), which then owns STATE_DIR.
#
# Authentication is `trust`, so the server listens on 127.0.0.1 only (and on the socket in
# STATE_DIR). Logical decoding is on (wal_level = logical, replication slots and WAL senders) and
# fsync is off: the data is thrown away after the tests. synchronous_commit stays on: with fsync off
# a commit's WAL flush is a plain write, so turning it off saves nothing, and it would hide each
# commit from logical decoding (which reads only flushed WAL) until the WAL writer's next round,
# up to about 600 ms later, so a test reading the changes right after a commit would see none.
#
# There is no `output_plugin_libraries` setting in PostgreSQL 15 (checked on Debian's 15.18: both
# `postgres -C output_plugin_libraries` and a server started with it stop with "unrecognized
# configuration parameter"), so none is written: the server loads an output plugin (pgoutput,
# wal2json) by name from its library directory when a logical replication slot is created, and
# nothing has to list it. TestPostgresTests creates a wal2json slot to show it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${2:-$root/.conveyor/postgres}"
bin="/usr/lib/postgresql/15/bin"

# Runs a PostgreSQL program from STATE_DIR, as the postgres user when this script runs as root.
as_server() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$state" && runuser -u postgres -- "$@")
    else
        (cd "$state" && "$@")
    fi
}

running() {
    [ -f "$state/data/PG_VERSION" ] && as_server "$bin/pg_ctl" status -D "$state/data" >/dev/null 2>&1
}

# The export line for the running server; its port is line 4 of postmaster.pid.
print_env() {
    local port
    port=$(sed -n 4p "$state/data/postmaster.pid")
    printf 'export CONVEYOR_TEST_POSTGRES=postgres://postgres@127.0.0.1:%s/postgres\n' "$port" | tee "$state/env"
}

case "${1:-}" in
start)
    if [ ! -x "$bin/pg_ctl" ]; then
        echo "error: PostgreSQL 15 is not installed ($bin/pg_ctl is missing); scripts/setup.sh installs it" >&2
        exit 1
    fi
    mkdir -p "$state"
    state="$(cd "$state" && pwd)"
    if [ "$(id -u)" -eq 0 ]; then
        if ! getent passwd postgres >/dev/null; then
            echo "error: there is no postgres system user to run the server as (the postgresql-15 package creates it)" >&2
            exit 1
        fi
        chown postgres: "$state"
        if ! runuser -u postgres -- test -w "$state" -a -x "$state"; then
            echo "error: the postgres user cannot reach $state (a parent directory is closed to it); use a directory under /tmp" >&2
            exit 1
        fi
    fi
    if running; then
        echo "PostgreSQL is already running in $state" >&2
        print_env
        exit 0
    fi
    if [ ! -f "$state/data/PG_VERSION" ]; then
        if ! as_server "$bin/initdb" -D "$state/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
            >"$state/initdb.log" 2>&1; then
            echo "error: initdb failed; its output:" >&2
            tail -20 "$state/initdb.log" >&2
            exit 1
        fi
        # A unix socket path is at most 107 bytes; with a deeper STATE_DIR the server listens on TCP only.
        sockets="${state//\'/\'\'}"
        [ ${#state} -gt 90 ] && sockets=""
        cat >>"$state/data/postgresql.conf" <<EOF

# scripts/postgres.sh: a private server for the tests
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sockets'
max_connections = 200
wal_level = logical
max_replication_slots = 10
max_wal_senders = 10
fsync = off
EOF
    fi
    touch "$state/postgres.log"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$state/postgres.log"
    # Try free ports until one binds (another process may take a port between the check and the start).
    for _ in $(seq 1 20); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            continue
        fi
        logged=$(wc -l <"$state/postgres.log")
        if as_server "$bin/pg_ctl" start -D "$state/data" -l "$state/postgres.log" -w -t 60 -o "-p $port" >/dev/null 2>&1; then
            print_env
            exit 0
        fi
        if tail -n +"$((logged + 1))" "$state/postgres.log" | grep -q 'could not bind\|already in use'; then
            continue
        fi
        echo "error: PostgreSQL did not start; its log ($state/postgres.log):" >&2
        tail -n +"$((logged + 1))" "$state/postgres.log" | tail -20 >&2
        exit 1
    done
    echo "error: PostgreSQL found no free port in 20 tries; log: $state/postgres.log" >&2
    exit 1
    ;;
stop)
    [ -d "$state" ] || exit 0
    state="$(cd "$state" && pwd)"
    if running; then
        as_server "$bin/pg_ctl" stop -D "$state/data" -m fast -w -t 60 >/dev/null
    fi
    # Only a data directory initdb made is removed.
    [ -f "$state/data/PG_VERSION" ] && rm -rf "$state/data"
    rm -f "$state/postgres.log" "$state/initdb.log" "$state/env"
    if ! rmdir "$state" 2>/dev/null; then
        echo "note: $state holds files other than the server's; left in place" >&2
    fi
    ;;
*)
    echo "usage: scripts/postgres.sh start|stop [STATE_DIR]" >&2
    exit 2
    ;;
esac
