"""Small BigQuery helper for the demo and the tests, using the official google-cloud-bigquery
client against the endpoint in BIGQUERY_EMULATOR_HOST (host:port).

  bq.py create-table DATASET.TABLE SCHEMA.json    create the dataset if needed, (re)create the table
  bq.py rows DATASET.TABLE [ORDER_BY]             print every row as one JSON object per line
  bq.py count DATASET.TABLE                       print the number of rows
  bq.py insert DATASET.TABLE ROWS.jsonl           insert rows (one JSON object per line)
  bq.py query-job SQL                             run a query job to its end and print its job id
  bq.py query-rows SQL                            print the rows of a query like `rows`
  bq.py create-view DATASET.VIEW SQL              (re)create a view
  bq.py table DATASET.TABLE                       print a table's or view's metadata as JSON
  bq.py list-rows DATASET.TABLE [SORT_BY]         every row through tabledata.list (list_rows), one JSON object per line
"""
import base64
import decimal
import json
import os
import sys

from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

PROJECT = os.environ.get("BIGQUERY_PROJECT", "demo")


def client() -> bigquery.Client:
    host = os.environ.get("BIGQUERY_EMULATOR_HOST")
    if not host:
        sys.exit("error: BIGQUERY_EMULATOR_HOST is not set")
    return bigquery.Client(project=PROJECT, credentials=AnonymousCredentials(),
                           client_options=ClientOptions(api_endpoint=f"http://{host}"))


def schema_field(spec: dict) -> bigquery.SchemaField:
    return bigquery.SchemaField(spec["name"], spec["type"], mode=spec.get("mode", "NULLABLE"),
                                fields=[schema_field(f) for f in spec.get("fields", [])])


def create_table(table_id: str, schema_path: str) -> None:
    bq = client()
    dataset_id, _ = table_id.split(".", 1)
    bq.create_dataset(bigquery.Dataset(f"{PROJECT}.{dataset_id}"), exists_ok=True)
    with open(schema_path) as handle:
        schema = [schema_field(spec) for spec in json.load(handle)]
    full_id = f"{PROJECT}.{table_id}"
    bq.delete_table(full_id, not_found_ok=True)
    bq.create_table(bigquery.Table(full_id, schema=schema))
    print(f"created table {full_id} ({len(schema)} columns)")


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, decimal.Decimal):
        # NUMERIC by value: 59.970000000 and 59.97 print the same.
        text = format(value.normalize(), "f")
        return text
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def rows(table_id: str, order_by: str | None) -> None:
    bq = client()
    order = f" ORDER BY `{order_by}`" if order_by else ""
    for row in bq.query(f"SELECT * FROM `{PROJECT}.{table_id}`{order}").result():
        print(json.dumps({key: plain(row[key]) for key in row.keys()}, sort_keys=False))


def list_rows(table_id: str, sort_by: str | None) -> None:
    bq = client()
    found = [{key: plain(row[key]) for key in row.keys()} for row in bq.list_rows(f"{PROJECT}.{table_id}")]
    if sort_by:
        found.sort(key=lambda row: (row.get(sort_by) is None, row.get(sort_by)))
    for row in found:
        print(json.dumps(row, sort_keys=False))


def count(table_id: str) -> None:
    bq = client()
    result = list(bq.query(f"SELECT COUNT(*) AS n FROM `{PROJECT}.{table_id}`").result())
    print(result[0]["n"])


def insert(table_id: str, rows_path: str) -> None:
    with open(rows_path) as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    errors = client().insert_rows_json(f"{PROJECT}.{table_id}", rows)
    if errors:
        sys.exit(f"error: insert failed: {errors}")
    print(f"inserted {len(rows)} rows")


def query_job(sql: str) -> None:
    job = client().query(sql)
    job.result()
    print(job.job_id)


def query_rows(sql: str) -> None:
    for row in client().query(sql).result():
        print(json.dumps({key: plain(row[key]) for key in row.keys()}, sort_keys=False))


def create_view(view_id: str, sql: str) -> None:
    bq = client()
    dataset_id, _ = view_id.split(".", 1)
    bq.create_dataset(bigquery.Dataset(f"{PROJECT}.{dataset_id}"), exists_ok=True)
    full_id = f"{PROJECT}.{view_id}"
    bq.delete_table(full_id, not_found_ok=True)
    view = bigquery.Table(full_id)
    view.view_query = sql
    bq.create_table(view)
    print(f"created view {full_id}")


def table_info(table_id: str) -> None:
    table = client().get_table(f"{PROJECT}.{table_id}")
    fields = [{"name": f.name, "type": f.field_type, "mode": f.mode} for f in table.schema]
    print(json.dumps({"type": table.table_type, "description": table.description, "labels": table.labels,
                      "schema": fields, "viewQuery": table.view_query,
                      "expires": table.expires.isoformat() if table.expires else None}))


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "create-table":
        create_table(args[1], args[2])
    elif len(args) in (2, 3) and args[0] == "rows":
        rows(args[1], args[2] if len(args) == 3 else None)
    elif len(args) in (2, 3) and args[0] == "list-rows":
        list_rows(args[1], args[2] if len(args) == 3 else None)
    elif len(args) == 2 and args[0] == "count":
        count(args[1])
    elif len(args) == 3 and args[0] == "insert":
        insert(args[1], args[2])
    elif len(args) == 2 and args[0] == "query-job":
        query_job(args[1])
    elif len(args) == 2 and args[0] == "query-rows":
        query_rows(args[1])
    elif len(args) == 3 and args[0] == "create-view":
        create_view(args[1], args[2])
    elif len(args) == 2 and args[0] == "table":
        table_info(args[1])
    else:
        sys.exit(__doc__)
