#!/usr/bin/env python3
"""Checks that mapped outputs agree: same number of lines, and a sample of lines equal once
parsed (key order and number spelling do not matter). Lines are matched by order_id.

usage: compare.py SAMPLE_SIZE FILE...
"""
import json
import random
import sys


def index_by_id(path, wanted):
    found, count = {}, 0
    with open(path, "rb") as handle:
        for line in handle:
            if not line.strip():
                continue
            count += 1
            # Cheap pre-filter: only parse lines whose id is in the sample.
            start = line.find(b'"order_id":')
            if start < 0:
                continue
            end = start + 11
            while end < len(line) and line[end:end + 1] not in (b",", b"}"):
                end += 1
            try:
                order_id = int(line[start + 11:end])
            except ValueError:
                continue
            if order_id in wanted:
                found[order_id] = json.loads(line)
    return count, found


def main() -> None:
    sample, files = int(sys.argv[1]), sys.argv[2:]
    counts, tables = [], []
    first_count = None
    for path in files:
        if first_count is None:
            with open(path, "rb") as handle:
                first_count = sum(1 for line in handle if line.strip())
            wanted = set(random.Random(7).sample(range(1, first_count + 1), min(sample, first_count)))
        count, table = index_by_id(path, wanted)
        counts.append(count)
        tables.append(table)
    ok = len(set(counts)) == 1
    print("lines: " + ", ".join(f"{path.rsplit('/', 1)[-1]}={count}" for path, count in zip(files, counts)))
    mismatches = 0
    for order_id in sorted(wanted):
        values = [table.get(order_id) for table in tables]
        if any(value != values[0] for value in values) or values[0] is None:
            mismatches += 1
            if mismatches <= 3:
                print(f"order {order_id} differs: {values}")
    print(f"sample of {len(wanted)} lines: {'equal' if mismatches == 0 else f'{mismatches} differ'}")
    sys.exit(0 if ok and mismatches == 0 else 1)


if __name__ == "__main__":
    main()
