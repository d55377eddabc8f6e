#!/usr/bin/env python3
"""The bench mapping in DuckDB on one thread: read_json of the NDJSON orders with their columns,
the same projection, COPY … (FORMAT json) to NDJSON.

usage: map_duckdb.py INPUT OUTPUT
"""
import sys

import duckdb


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    con = duckdb.connect()
    con.execute("SET threads = 1")
    con.execute("SET preserve_insertion_order = true")
    columns = ("{'id': 'BIGINT', 'customer': 'STRUCT(name VARCHAR, country VARCHAR)', "
               "'items': 'STRUCT(sku VARCHAR, qty BIGINT)[]', 'price': 'DOUBLE', 'placedAt': 'VARCHAR'}")
    con.execute(f"""
        COPY (
            SELECT id AS order_id, upper(customer.name) AS customer, customer.country AS country,
                   list_transform(items, i -> {{'sku': i.sku, 'qty': i.qty}}) AS items,
                   price AS total, placedAt AS placed_at
            FROM read_json(?, format = 'newline_delimited', columns = {columns})
        ) TO '{target.replace("'", "''")}' (FORMAT json)
    """, [source])


if __name__ == "__main__":
    main()
