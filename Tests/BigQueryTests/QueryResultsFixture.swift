/// A getQueryResults response as BigQuery sends it with `formatOptions.useInt64Timestamp=true`:
/// every type, nested RECORD and REPEATED fields, NULLs, NaN and Infinity.
enum QueryResultsFixture {
    static let schema = #"""
    {"fields": [
      {"name": "id", "type": "INTEGER", "mode": "REQUIRED"},
      {"name": "price", "type": "FLOAT", "mode": "NULLABLE"},
      {"name": "amount", "type": "NUMERIC", "mode": "NULLABLE"},
      {"name": "big", "type": "BIGNUMERIC", "mode": "NULLABLE"},
      {"name": "ok", "type": "BOOLEAN", "mode": "NULLABLE"},
      {"name": "name", "type": "STRING", "mode": "NULLABLE"},
      {"name": "raw", "type": "BYTES", "mode": "NULLABLE"},
      {"name": "day", "type": "DATE", "mode": "NULLABLE"},
      {"name": "at", "type": "DATETIME", "mode": "NULLABLE"},
      {"name": "clock", "type": "TIME", "mode": "NULLABLE"},
      {"name": "ts", "type": "TIMESTAMP", "mode": "NULLABLE"},
      {"name": "doc", "type": "JSON", "mode": "NULLABLE"},
      {"name": "tags", "type": "STRING", "mode": "REPEATED"},
      {"name": "address", "type": "RECORD", "mode": "NULLABLE", "fields": [
        {"name": "street", "type": "STRING"},
        {"name": "geo", "type": "RECORD", "fields": [{"name": "lat", "type": "FLOAT64"}]}
      ]},
      {"name": "lines", "type": "RECORD", "mode": "REPEATED", "fields": [
        {"name": "sku", "type": "STRING"},
        {"name": "qty", "type": "INT64"}
      ]}
    ]}
    """#

    static let rows = #"""
    [
      {"f": [{"v": "9223372036854775807"}, {"v": "59.97"}, {"v": "123456789.123456789"},
             {"v": "1234567890123456789012345678901234567.5"}, {"v": "true"}, {"v": "Ada \"Countess\" Lovelace"},
             {"v": "3q2+7w=="}, {"v": "2026-11-20"}, {"v": "2026-11-20T09:15:00.250000"}, {"v": "09:15:00.5"},
             {"v": "1795684500123456"}, {"v": "{\"a\":[1,2.5,null],\"b\":{\"c\":true}}"},
             {"v": [{"v": "x"}, {"v": "y"}]},
             {"v": {"f": [{"v": "1 Main St"}, {"v": {"f": [{"v": "51.5"}]}}]}},
             {"v": [{"v": {"f": [{"v": "BK-001"}, {"v": "2"}]}}, {"v": {"f": [{"v": "MS-220"}, {"v": "-1"}]}}]}]},
      {"f": [{"v": "2"}, {"v": "NaN"}, {"v": null}, {"v": null}, {"v": "false"}, {"v": null},
             {"v": null}, {"v": null}, {"v": null}, {"v": null},
             {"v": "1795684500000000"}, {"v": null}, {"v": []}, {"v": null}, {"v": []}]},
      {"f": [{"v": "-3"}, {"v": "-Infinity"}, {"v": "0"}, {"v": "-0.5"}, {"v": null}, {"v": ""},
             {"v": ""}, {"v": "0001-01-01"}, {"v": "9999-12-31T23:59:59.999999"}, {"v": "23:59:59"},
             {"v": "-1"}, {"v": "\"text\""}, {"v": [{"v": ""}]},
             {"v": {"f": [{"v": null}, {"v": null}]}}, {"v": [{"v": {"f": [{"v": null}, {"v": null}]}}]}]}
    ]
    """#

    /// A page with these rows, complete, with an optional page token.
    static func page(rows: String = rows, pageToken: String? = nil, totalRows: Int = 3) -> [UInt8] {
        let token = pageToken.map { #","pageToken":"\#($0)""# } ?? ""
        return Array(#"""
        {"kind":"bigquery#getQueryResultsResponse","schema":\#(schema),
         "jobReference":{"projectId":"demo","jobId":"job-1","location":"US"},
         "totalRows":"\#(totalRows)","rows":\#(rows),"jobComplete":true\#(token)}
        """#.utf8)
    }

    /// A response for a job that is still running: no schema, no rows.
    static let running = Array(#"""
        {"kind":"bigquery#getQueryResultsResponse","jobReference":{"projectId":"demo","jobId":"job-1"},"jobComplete":false}
        """#.utf8)
}
