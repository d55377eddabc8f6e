#!/usr/bin/env python3
"""The official Python client's side of bench/insert-all.sh: reads the NDJSON rows and inserts
them with `Client.insert_rows_json` (tabledata.insertAll, generated insert ids) in batches.

usage: insert_all_python.py ROWS.ndjson PROJECT.DATASET.TABLE BATCH
"""
import json
import os
import sys

from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery


def main(path: str, table: str, batch_size: int) -> None:
    client = bigquery.Client(project=table.split(".")[0], credentials=AnonymousCredentials(),
                             client_options=ClientOptions(api_endpoint="http://" + os.environ["BIGQUERY_EMULATOR_HOST"]))
    batch = []

    def flush() -> None:
        errors = client.insert_rows_json(table, batch)
        if errors:
            sys.exit(f"insert failed: {errors[:3]}")
        batch.clear()

    with open(path) as handle:
        for line in handle:
            batch.append(json.loads(line))
            if len(batch) == batch_size:
                flush()
    if batch:
        flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
