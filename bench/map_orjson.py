#!/usr/bin/env python3
"""The bench mapping in Python with orjson: reads NDJSON orders, writes mapped NDJSON.

usage: map_orjson.py INPUT OUTPUT
"""
import sys

import orjson


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    loads, dumps = orjson.loads, orjson.dumps
    with open(source, "rb") as inp, open(target, "wb", buffering=4 << 20) as out:
        for line in inp:
            if not line.strip():
                continue
            order = loads(line)
            customer = order["customer"]
            out.write(dumps({
                "order_id": order["id"],
                "customer": customer["name"].upper(),
                "country": customer["country"],
                "items": [{"sku": item["sku"], "qty": item["qty"]} for item in order["items"]],
                "total": order["price"],
                "placed_at": order["placedAt"],
            }))
            out.write(b"\n")


if __name__ == "__main__":
    main()
