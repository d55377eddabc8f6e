#!/usr/bin/env bash
# Installs what building and testing Conveyor needs: the C libraries (Debian packages) and a
# Python virtualenv (.venv-bq) with the BigQuery emulator and the official Google clients.
# Idempotent: a second run only checks.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { printf '==> %s\n' "$*" >&2; }

# chromium: the headless browser the Process Reporting end-to-end tests load the pages in.
apt_packages=(curl pkg-config libcurl4-openssl-dev libssl-dev libxml2-dev libsqlite3-dev sqlite3 openssl chromium)
missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

venv="$root/.venv-bq"
stamp="$venv/.conveyor-ready-2"
if [ ! -f "$stamp" ]; then
    say "creating Python virtualenv $venv (BigQuery emulator, official clients, JSON Schema validator; about a minute)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check \
        bqemulator==1.4.0 duckdb==1.5.5 duckdb-extension-spatial==1.5.5 numpy \
        google-cloud-bigquery google-cloud-bigquery-storage pyjwt cryptography jsonschema
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
