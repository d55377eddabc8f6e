"""Change data capture lag: writes rows into PostgreSQL at a steady rate (or as fast as it can)
while polling the BigQuery emulator for them, and prints each row's lag (commit in PostgreSQL →
visible in BigQuery) as percentiles, and the rate the pipeline kept up with.

  cdc_lag.py steady URL DATASET.TABLE RATE SECONDS
  cdc_lag.py burst  URL DATASET.TABLE ROWS
"""
import os
import sys
import threading
import time

import psycopg
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery


def client():
    return bigquery.Client(project="demo", credentials=AnonymousCredentials(),
                           client_options=ClientOptions(api_endpoint="http://" + os.environ["BIGQUERY_EMULATOR_HOST"]))


def poll(table, expected, committed, seen, done, timeout):
    bq = client()
    last = 0
    deadline = time.time() + timeout
    while len(seen) < expected and time.time() < deadline and not done.is_set():
        rows = bq.query(f"SELECT id FROM `demo.{table}` WHERE id > {last}").result()
        now = time.time()
        for row in rows:
            seen.setdefault(row["id"], now)
            last = max(last, row["id"])
        time.sleep(0.05)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def steady(url, table, rate, seconds):
    per_tx = 10
    total = rate * seconds
    committed, seen, done = {}, {}, threading.Event()
    poller = threading.Thread(target=poll, args=(table, total, committed, seen, done, seconds + 120))
    poller.start()
    with psycopg.connect(url, autocommit=True) as db:
        start = time.time()
        next_id = 1
        while next_id <= total:
            target = start + (next_id - 1) / rate
            pause = target - time.time()
            if pause > 0:
                time.sleep(pause)
            ids = list(range(next_id, min(next_id + per_tx, total + 1)))
            with db.transaction():
                db.execute("INSERT INTO bench.events (id, payload) SELECT g, 'payload ' || g FROM unnest(%s::bigint[]) g", (ids,))
            now = time.time()
            for i in ids:
                committed[i] = now
            next_id += len(ids)
        written = time.time() - start
    poller.join()
    lags = [seen[i] - committed[i] for i in committed if i in seen]
    print(f"steady: {total} rows at {rate}/s asked, written at {total / written:.0f}/s; "
          f"{len(seen)} visible in BigQuery")
    if lags:
        case = f"steady {rate}/s, {total} rows"
        for metric, value in [("lag_median_s", percentile(lags, 50)), ("lag_p99_s", percentile(lags, 99)),
                              ("lag_max_s", max(lags))]:
            print(f"RESULT bench=cdc-lag case={case.replace(' ', '_')} metric={metric} conveyor={value:.3f}")


def burst(url, table, rows):
    committed, seen, done = {}, {}, threading.Event()
    poller = threading.Thread(target=poll, args=(table, rows, committed, seen, done, 600))
    start = time.time()
    poller.start()
    with psycopg.connect(url, autocommit=True) as db:
        for first in range(1, rows + 1, 1000):
            with db.transaction():
                db.execute("INSERT INTO bench.events (id, payload) SELECT g, 'payload ' || g FROM generate_series(%s::bigint, %s::bigint) g",
                           (first, min(first + 999, rows)))
    written = time.time() - start
    poller.join()
    elapsed = max(seen.values()) - start if seen else float("nan")
    print(f"burst: {rows} rows written in {written:.1f} s; all visible after {elapsed:.1f} s")
    print(f"RESULT bench=cdc-lag case=burst_{rows}_rows metric=changes_per_s conveyor={len(seen) / elapsed:.0f}")


if __name__ == "__main__":
    if sys.argv[1] == "steady":
        steady(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        burst(sys.argv[2], sys.argv[3], int(sys.argv[4]))
