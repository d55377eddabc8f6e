// BigQuery
