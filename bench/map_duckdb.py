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
    # `lambda i: …` since DuckDB 1.3 (2.0 refuses the older `i -> …`); the arrow for older installs.
    for function in ("lambda i: {'sku': i.sku, 'qty': i.qty}", "i -> {'sku': i.sku, 'qty': i.qty}"):
        try:
            con.execute(f"""
                COPY (
                    SELECT id AS order_id, upper(customer.name) AS customer, customer.country AS country,
                           list_transform(items, {function}) AS items,
                           price AS total, placedAt AS placed_at
                    FROM read_json(?, format = 'newline_delimited', columns = {columns})
                ) TO '{target.replace("'", "''")}' (FORMAT json)
            """, [source])
            return
        except (duckdb.ParserException, duckdb.BinderException):
            if function.startswith("i ->"):
                raise


if __name__ == "__main__":
    main()
