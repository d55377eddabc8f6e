"""The official Python client's side of bench/query-results.sh and bench/instructions.sh.

usage: query_results_python.py generate N   creates demo.bench.rows with N rows (id, name, ratio, even,
                                            ts, day), runs a query job over it, prints the job's id
       query_results_python.py read JOB_ID  reads every row of the job's results (pages of 1,000),
                                            prints how many
BIGQUERY_EMULATOR_HOST names the emulator.
"""
import os, sys
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

client = bigquery.Client(project="demo", credentials=AnonymousCredentials(),
                         client_options=ClientOptions(api_endpoint="http://" + os.environ["BIGQUERY_EMULATOR_HOST"]))
if sys.argv[1] == "generate":
    n = int(sys.argv[2])
    client.create_dataset("demo.bench", exists_ok=True)
    client.delete_table("demo.bench.rows", not_found_ok=True)
    # The emulator does not materialise configuration.query.destinationTable: CREATE TABLE … AS.
    client.query(f"""CREATE TABLE `demo.bench.rows` AS
        SELECT x AS id, CONCAT('name-', CAST(x AS STRING)) AS name, x / 7 AS ratio, MOD(x, 2) = 0 AS even,
               TIMESTAMP_ADD(TIMESTAMP '2026-01-01 00:00:00 UTC', INTERVAL x SECOND) AS ts,
               DATE_ADD(DATE '2026-01-01', INTERVAL MOD(x, 365) DAY) AS day
        FROM UNNEST(GENERATE_ARRAY(1, {n})) AS x""").result()
    job = client.query("SELECT * FROM `demo.bench.rows`")
    job.result(max_results=1)
    print(job.job_id)
else:
    rows = 0
    for row in client.get_job(sys.argv[2]).result(page_size=1000):
        rows += 1
    print(rows)
