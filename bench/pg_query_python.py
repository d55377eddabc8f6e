#!/usr/bin/env python3
"""Reads every row of a query through a psycopg 3 server-side cursor (ITERSIZE rows per FETCH,
default 1000, as conveyor's chunks) and writes each row as one JSON line in conveyor's encoding:
integers and numeric as exact JSON numbers, text as JSON strings, timestamptz as RFC 3339 in UTC
(microseconds unless zero), booleans, null. Prints the number of rows written.

usage: pg_query_python.py URL SQL OUT [ITERSIZE]
"""
import sys

import psycopg

try:
    import orjson

    def text(value: str) -> str:
        return orjson.dumps(value).decode()
except ImportError:  # the standard library's encoder, without escaping non-ASCII
    import json

    def text(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)


def timestamp(value) -> str:
    return '"' + value.isoformat().replace("+00:00", "Z") + '"'


def boolean(value: bool) -> str:
    return "true" if value else "false"


# type OID -> encoder (int2, int4, int8, oid, numeric, text, varchar, timestamptz, bool)
ENCODERS = {21: str, 23: str, 20: str, 26: str, 1700: str, 25: text, 1043: text, 1184: timestamp, 16: boolean}


def main() -> None:
    url, sql, out = sys.argv[1], sys.argv[2], sys.argv[3]
    itersize = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    rows = 0
    with psycopg.connect(url, options="-c TimeZone=UTC") as connection, open(out, "w") as handle:
        with connection.cursor(name="rows") as cursor:
            cursor.itersize = itersize
            cursor.execute(sql)
            columns = [(text(column.name) + ":", ENCODERS[column.type_code]) for column in cursor.description]
            write = handle.write
            for row in cursor:
                write("{" + ",".join(key + ("null" if value is None else encode(value))
                                     for (key, encode), value in zip(columns, row)) + "}\n")
                rows += 1
    print(rows)


if __name__ == "__main__":
    main()
