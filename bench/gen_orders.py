#!/usr/bin/env python3
"""Writes N order documents as NDJSON (about 175 bytes each) to a file, reproducibly.

usage: gen_orders.py N OUTPUT
"""
import json
import random
import sys

NAMES = ["Ann Lee", "Bo Martin", "Chloe Dubois", "Dmitri Ivanov", "Eva Schmidt", "Farid Haddad",
         "Grace Hopper", "Hiro Tanaka", "Ines Costa", "Jonas Berg"]
COUNTRIES = ["FR", "DE", "US", "JP", "BR", "SE", "IN", "ES", "IT", "NL"]


def main() -> None:
    count, path = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(42)
    with open(path, "w", encoding="utf-8") as out:
        lines = []
        for index in range(1, count + 1):
            items = [{"sku": f"SKU-{rng.randrange(10000, 99999)}", "qty": rng.randrange(1, 10)}
                     for _ in range(rng.randrange(1, 4))]
            order = {
                "id": index,
                "customer": {"name": rng.choice(NAMES), "country": rng.choice(COUNTRIES)},
                "items": items,
                "price": round(rng.uniform(1, 2000), 2),
                "placedAt": f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T"
                            f"{rng.randrange(0, 24):02d}:{rng.randrange(0, 60):02d}:{rng.randrange(0, 60):02d}Z",
            }
            lines.append(json.dumps(order, ensure_ascii=False, separators=(",", ":")))
            if len(lines) == 10000:
                out.write("\n".join(lines) + "\n")
                lines.clear()
        if lines:
            out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
