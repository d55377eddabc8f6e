#!/usr/bin/env bash
# Installs what building and testing Conveyor needs: the C libraries and PostgreSQL 15 (Debian
# packages) and a Python virtualenv (.venv-bq) with the BigQuery emulator and the official Google clients.
# Idempotent: a second run only checks.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { printf '==> %s\n' "$*" >&2; }

sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
apt_updated=""
apt_install() {
    if [ -z "$apt_updated" ]; then
        $sudo_cmd apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@" >/dev/null
}

# chromium: the headless browser the Process Reporting end-to-end tests load the pages in.
apt_packages=(curl pkg-config libcurl4-openssl-dev libssl-dev libxml2-dev libsqlite3-dev sqlite3 openssl chromium)
missing=()
for p in "${apt_packages[@]}"; do
    installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt_install "${missing[@]}"
fi

# PostgreSQL 15 and the wal2json output plugin, for the tests of the PostgreSQL execution store
# (scripts/postgres.sh starts a private server for them). Debian's postgresql-15 would create and
# start a `main` cluster on port 5432, which nothing here uses: installing postgresql-common first
# and setting create_main_cluster = false in its createcluster.conf stops that cluster being created.
pg_packages=(postgresql-15 postgresql-15-wal2json)
missing=()
for p in "${pg_packages[@]}"; do
    installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    fresh_server=""
    if ! installed postgresql-15; then
        fresh_server=1
        installed postgresql-common || apt_install postgresql-common
        createcluster=/etc/postgresql-common/createcluster.conf
        if ! grep -qE '^[[:space:]]*create_main_cluster[[:space:]]*=[[:space:]]*(false|off)' "$createcluster" 2>/dev/null; then
            [ -f "$createcluster" ] && $sudo_cmd sed -i -E '/^[[:space:]]*#?[[:space:]]*create_main_cluster[[:space:]]*=/d' "$createcluster"
            echo 'create_main_cluster = false' | $sudo_cmd tee -a "$createcluster" >/dev/null
        fi
    fi
    apt_install "${missing[@]}"
    # Had this install created and started a main cluster anyway, stop it: the tests never use it.
    if [ -n "$fresh_server" ] && pg_lsclusters -h 2>/dev/null | grep -qE '^15 +main +[0-9]+ +online'; then
        $sudo_cmd pg_ctlcluster 15 main stop || true
    fi
fi

venv="$root/.venv-bq"
stamp="$venv/.conveyor-ready-3"
if [ ! -f "$stamp" ]; then
    say "creating Python virtualenv $venv (BigQuery emulator, official clients, JSON Schema validator, httpbin; about a minute)"
    # --clear: a virtualenv left by an older set-up (or another Python) is made again from nothing.
    python3 -m venv --clear "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check \
        bqemulator==1.4.0 duckdb==1.5.5 duckdb-extension-spatial==1.5.5 numpy \
        google-cloud-bigquery google-cloud-bigquery-storage pyjwt cryptography jsonschema httpbin
    touch "$stamp"
fi

# bqemulator runs `INSTALL spatial`, which would download: place the packaged extension where DuckDB looks.
duckdb_version=$("$venv/bin/python" -c 'import duckdb; print(duckdb.__version__)')
ext_dir="$HOME/.duckdb/extensions/v$duckdb_version/linux_amd64"
if [ ! -f "$ext_dir/spatial.duckdb_extension" ]; then
    src=$("$venv/bin/python" -c 'import duckdb_extension_spatial, os; print(os.path.dirname(duckdb_extension_spatial.__file__))')
    mkdir -p "$ext_dir"
    cp "$src/extensions/v$duckdb_version/spatial.duckdb_extension" "$ext_dir/"
fi
