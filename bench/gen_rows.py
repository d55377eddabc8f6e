#!/usr/bin/env python3
"""Writes N BigQuery rows as NDJSON: id INT64, name STRING, amount NUMERIC (as text),
ts TIMESTAMP (RFC 3339, microseconds), pad (64-char STRING); about 170 bytes a row.

usage: gen_rows.py N OUT.ndjson
"""
import json
import sys


def main(n: int, path: str) -> None:
    with open(path, "w") as out:
        for i in range(n):
            out.write(json.dumps({"id": i, "name": f"customer-{i % 9973}", "amount": f"{i % 100000}.{i % 100:02d}",
                                  "ts": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}.{i % 1000000:06d}Z",
                                  "pad": f"{i:064d}"}) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
