#!/usr/bin/env python3
"""Writes bench/RESULTS.md from the logs bench/run collected: the machine, the date, one table
per benchmark built from the scripts' `RESULT bench=… case=… metric=… conveyor=… [peer=… peer_value=…]`
lines (conveyor's figure, the peer's from the same run, the ratio conveyor/peer), and every
script's whole output in collapsed sections.

usage: report.py --mode full|quick --started DATE --conveyor BIN --logs DIR --out FILE NAME...
"""
import argparse
import os
import platform
import shlex
import subprocess

TITLES = {
    "engine": ("Engine throughput", "disk get (json-lines) → map → disk send of N orders, against `jq -c`, Python/orjson and DuckDB (one thread, `read_json` with the columns, `COPY … (FORMAT json)`) doing the same mapping."),
    "memory": ("Peak memory", "The engine pipeline at growing N: peak RSS should stay flat."),
    "tracked-search": ("Tracked-field search", "`conveyor tracked search --field orderId=…` on a store of N tracked records (no peer: absolute times)."),
    "query-results": ("Get Query Results", "Reading the N rows of one query job: conveyor (to a file; `no-disk`: rows dropped after the shape) against the official Python client iterating the same rows."),
    "pg-query": ("PostgreSQL query to a file", "Every row of an N-row PostgreSQL table (bigint, numeric, text, timestamptz, boolean) into one file: conveyor (a postgresql `query` start shape, a cursor of 1,000 rows per FETCH → disk send, JSON lines) against psql `\\copy … to stdout` (text format, and `row_to_json` JSON lines) and Python psycopg 3 (a server-side cursor of 1,000 rows per FETCH writing the same JSON lines as conveyor, byte for byte); medians of 3 runs. Client CPU only: the server's work is not counted."),
    "http-get": ("HTTP GET of small JSON resources", "N GETs of /items/ID (about 50-byte JSON answers) from a keep-alive Python server on loopback, 8 in flight: conveyor (disk get of N ids → setProperties → http send, `<maxInFlight>8</maxInFlight>`) against Python requests (a Session per thread) and httpx (one Client), 8 threads each. The server shares the 2 cores, so compare client CPU per request more than requests/s."),
    "cdc-lag": ("Change data capture lag", "A `<cdc>` process under `conveyor serve` (maxLatency 200ms) merging every change of a PostgreSQL table into the BigQuery emulator (storage-write, `<uniqueConstraints>{key_columns}</uniqueConstraints>`): each row's lag from its commit to the moment a poll of BigQuery (every ~50 ms) sees it, at a steady rate of 10-row transactions; then N rows written as fast as PostgreSQL takes them and the changes/s delivered until the last is visible. No peer runs here (Debezium and Datastream need Kafka or Google Cloud): absolute figures."),
    "instructions": ("Instructions a document", "Each path counted by valgrind's callgrind on N and 2N documents; the difference over N is one document's cost with start-up taken out (`bench/instructions.sh`). Instructions are not time (DuckDB retires more of them per cycle), but they do not move with the machine's load, so before-and-after comparisons of one path hold to a fraction of a percent."),
    "storage-write": ("Streaming insert, Storage Write API", "N rows written by conveyor (`<api>storage-write</api>`) and by the official Python client (`append_rows`) to the same emulator."),
    "insert-all": ("Streaming insert, insertAll", "N rows written by conveyor (`<api>insert-all</api>`) and by the official Python client (`insert_rows_json`) in requests of the same size to the same emulator."),
    "tracked-search-pg": ("Tracked-field search in PostgreSQL", "The store of `tracked-search` copied into PostgreSQL with `conveyor store migrate --to URL` (rows/s of the copy), then `conveyor tracked search --field orderId=… --store URL` (no peer: absolute times)."),
    "cluster": ("Cluster throughput", "Executions/s of a listener process (`POST /x` → message → returnDocuments): answered synchronously (one `wrk -c8` per host at once, rates summed), and N `?wait=false` triggers until all are COMPLETE (queued on PostgreSQL; started locally on SQLite), for 1, 2 and 3 hosts on one PostgreSQL store against one host on SQLite (the peer; ratio above 1 means faster). All hosts, the load generators and PostgreSQL share the machine's cores: more hosts cannot be faster on a 2-core machine."),
    "wire": ("Insert-all client against the wire", "conveyor's insert-all pipeline posting to a local nginx that answers every insertAll with a fixed response, against curl and Python http.client posting pre-built bodies of the same rows; MB are row JSON bytes."),
}
METRICS = {
    "wall_s": ("wall s", "lower"), "cpu_s": ("CPU s", "lower"), "client_cpu_s": ("client CPU s", "lower"),
    "peak_rss_mb": ("peak RSS MB", "lower"), "docs_per_s": ("documents/s", "higher"),
    "rows_per_s": ("rows/s", "higher"),
    "mb_per_cpu_s": ("MB/s per client CPU s", "higher"), "mb_per_wall_s": ("MB/s wall", "higher"),
    "fill_s": ("fill s (Python writer, not conveyor)", "lower"), "store_mb": ("store MB", "lower"),
    "search_library_median_ms": ("search, library call, median ms", "lower"),
    "search_command_median_ms": ("search, whole command, median ms", "lower"),
    "audit_verify_s": ("audit verify s", "lower"),
    "migrate_rows": ("rows copied by store migrate", ""), "migrate_rows_per_s": ("store migrate copy, rows/s", "higher"),
    "migrate_command_s": ("store migrate, whole command s (target verify included)", "lower"),
    "execs_per_s": ("executions/s", "higher"),
    "lag_median_s": ("lag commit → visible, median s", "lower"), "lag_p99_s": ("lag, p99 s", "lower"),
    "lag_max_s": ("lag, max s", "lower"), "changes_per_s": ("changes/s delivered", "higher"), "requests": ("requests sent", ""),
    "requests_per_s": ("requests/s", "higher"), "cpu_us_per_doc": ("CPU µs per document", "lower"), "cpu_us_per_row": ("client CPU µs per row", "lower"), "cpu_us_per_request": ("client CPU µs per request", "lower"),
    "per_document": ("instructions a document", "lower"), "startup_millions": ("start-up, million instructions", "lower"),
}


def command(*args: str) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=60)
        return (done.stdout or done.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def machine(conveyor: str) -> list[str]:
    cpu, memory, os_name = "unknown", "unknown", platform.platform()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
        with open("/proc/meminfo") as handle:
            kb = int(next(line.split()[1] for line in handle if line.startswith("MemTotal")))
            memory = f"{kb / 1024 / 1024:.1f} GiB"
        with open("/etc/os-release") as handle:
            fields = dict(line.rstrip("\n").split("=", 1) for line in handle if "=" in line)
            os_name = fields.get("PRETTY_NAME", "").strip('"') + f", kernel {platform.release()}"
    except (OSError, StopIteration, ValueError):
        pass
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    commit = command("git", "-C", root, "describe", "--always", "--dirty")
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores",
        f"- memory: {memory}",
        f"- OS: {os_name}",
        f"- Swift: {command('swift', '--version')}",
        f"- conveyor: release build of `{commit}` ({os.path.basename(conveyor)})",
        f"- peers: {command('jq', '--version')}, Python {platform.python_version()}, "
        f"{command('curl', '--version').split(' (')[0]}, {command('nginx', '-v').replace('nginx version: ', '')}, "
        f"{command('psql', '--version')}",
        f"- load average when the report was written: {' '.join(f'{v:.2f}' for v in os.getloadavg())}",
    ]


def results(log: str) -> list[dict]:
    rows = []
    for line in log.splitlines():
        if line.startswith("RESULT "):
            fields = dict(part.split("=", 1) for part in shlex.split(line[7:]) if "=" in part)
            rows.append(fields)
    return rows


def number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def table(rows: list[dict]) -> list[str]:
    with_peer = any("peer" in row for row in rows)
    if with_peer:
        lines = ["| N | metric | conveyor | peer | peer's figure | ratio conveyor/peer |", "|---|---|--:|---|--:|--:|"]
    else:
        lines = ["| N | metric | conveyor |", "|---|---|--:|"]
    for row in rows:
        label, better = METRICS.get(row.get("metric", ""), (row.get("metric", "?"), ""))
        label += {"lower": " (lower is better)", "higher": " (higher is better)"}.get(better, "") if with_peer else ""
        cells = [row.get("case", ""), label, row.get("conveyor", "")]
        if with_peer:
            a, b = number(row.get("conveyor")), number(row.get("peer_value"))
            ratio = f"{a / b:.2f}×" if a is not None and b else "—"
            cells += [row.get("peer", "—"), row.get("peer_value", "—"), ratio]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    for option in ("--mode", "--started", "--conveyor", "--logs", "--out"):
        parser.add_argument(option, required=True)
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()

    out = ["# Benchmark results", ""]
    if args.mode == "quick":
        out += ["**Quick mode** (`bench/run --quick`): small sizes, a smoke test of the scripts. "
                "These figures are not the benchmark's; run `bench/run` for those.", ""]
    out += [f"Written by `bench/run{' --quick' if args.mode == 'quick' else ''}`, started {args.started}. "
            "Every peer ran in the same run, right after conveyor, on the same input; a ratio "
            "below 1 means conveyor needs less (time, CPU, memory) — except for figures where higher "
            "is better (documents/s, MB/s), where above 1 means conveyor is faster. "
            "Client CPU is user + system time of the client process (GNU time), not the emulator's or the server's.", "",
            "## Machine", ""] + machine(args.conveyor) + [""]
    appendix = ["## Raw outputs", ""]
    for name in args.names:
        title, about = TITLES.get(name, (name, ""))
        log, status = "", "missing"
        try:
            with open(os.path.join(args.logs, f"{name}.log"), errors="replace") as handle:
                log = handle.read()
            with open(os.path.join(args.logs, f"{name}.status")) as handle:
                code, took, *sizes = handle.read().split()
            status = f"`bench/{name}.sh {' '.join(sizes)}`, {'ok' if code == '0' else f'FAILED (exit {code})'}, {took} s"
        except (OSError, ValueError):
            sizes = []
        out += [f"## {title}", "", about, "", status, ""]
        rows = results(log)
        out += (table(rows) if rows else ["No figures (see the raw output)."]) + [""]
        lines = log.splitlines()
        if len(lines) > 300:
            lines = lines[:150] + [f"… {len(lines) - 300} lines left out …"] + lines[-150:]
        appendix += [f"<details><summary>bench/{name}.sh {' '.join(sizes)}</summary>", "", "```text"]
        appendix += [line for line in lines if not line.startswith("RESULT ")] + ["```", "", "</details>", ""]
    with open(args.out, "w") as handle:
        handle.write("\n".join(out + appendix))


if __name__ == "__main__":
    main()
