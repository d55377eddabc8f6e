"""Fills a Conveyor execution store with tracked-field records for bench/tracked-search.sh.

usage: tracked_fill.py DATABASE RECORDS [EXECUTIONS]

Writes the rows straight into SQLite, exactly as the store writes them: executions, one document
row per document, and four tracked values per document (orderId, distinct; customerId; state;
amount) with their sequence numbers, content hashes and chain hashes computed the same way
(`conveyor audit verify` checks them afterwards). The database must exist with the current schema
(open it once with conveyor first). The two tracked-value indexes are dropped during the fill and
created again at the end, which builds them faster than inserting into them row by row.
Prints the orderId in the middle of the log.
"""
import datetime
import hashlib
import random
import sqlite3
import sys
import uuid

FIELDS = 4
TAG = b"conveyor-tracked-v1"


def part(text):
    data = text.encode()
    return b"\x01" + len(data).to_bytes(4, "big") + data


def stamp(ms):
    moment = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def main():
    path, records = sys.argv[1], int(sys.argv[2])
    executions = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    documents_per_execution = max(1, records // FIELDS // executions)
    rng = random.Random(42)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -524288")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version == 0:
        sys.exit("the database has no schema: open it with conveyor first")
    if db.execute("SELECT COUNT(*) FROM tracked_values").fetchone()[0]:
        sys.exit("the database already holds tracked values")
    db.execute("DROP INDEX tracked_values_by_name_value")
    db.execute("DROP INDEX tracked_values_by_seq")

    processes = [("orders-to-bigquery", "Orders to BigQuery"), ("refunds", "Refunds"), ("invoices", "Invoices")]
    shape_prefix = part("insert-orders") + part("bigquery-local") + part("orders-insert") + part("input")
    states = ["NEW", "PAID", "SHIPPED", "CANCELLED"]
    states_parts = [part(s) for s in states]
    name_parts = [part("orderId"), part("customerId"), part("state"), part("amount")]
    uncut = part("0")
    success = part("success")
    previous = bytes(32)
    seq = 0
    document_id = 0
    order = 0
    start_ms = 1767225600000  # 2026-01-01T00:00:00Z
    insert_values = ("INSERT INTO tracked_values (document_id, position, name, value, truncated, seq, "
                     "content_hash, chain_hash) VALUES (?, ?, ?, ?, 0, ?, ?, ?)")
    insert_document = ("INSERT INTO documents (id, execution_id, shape_id, connection_id, operation_id, direction, "
                       "doc_index, status, error, recorded_at, doc_count) "
                       "VALUES (?, ?, 'insert-orders', 'bigquery-local', 'orders-insert', 'input', ?, 'success', "
                       "NULL, ?, 1)")
    sha = hashlib.sha256
    for number in range(executions):
        execution_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        process_id, process_name = processes[number % len(processes)]
        started = start_ms + number * 600_000
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO executions (id, process_id, process_name, trigger, status, start_time, end_time, "
            "documents_in, documents_out, documents_error) VALUES (?, ?, ?, 'schedule', 'COMPLETE', ?, ?, ?, ?, 0)",
            (execution_id, process_id, process_name, stamp(started), stamp(started + 300_000),
             documents_per_execution, documents_per_execution))
        head = TAG + part(execution_id) + part(process_id) + shape_prefix
        first = seq + 1
        documents = []
        values = []
        stamp_text, stamp_part, stamp_second = None, None, -1
        for index in range(documents_per_execution):
            second = index // 100
            if second != stamp_second:
                stamp_second = second
                stamp_text = stamp(started + 1000 + second * 1000)
                stamp_part = part(stamp_text)
            document_id += 1
            order += 1
            documents.append((document_id, execution_id, index, stamp_text))
            prefix = head + part(str(index)) + success
            fields = ("ORD-%09d" % order, "CUST-%05d" % rng.randrange(50_000), states[order % 4],
                      "%d.%02d" % (rng.randrange(1, 5000), rng.randrange(100)))
            for position in range(FIELDS):
                value = fields[position]
                value_part = states_parts[order % 4] if position == 2 else part(value)
                content = sha(prefix + name_parts[position] + value_part + uncut + stamp_part).digest()
                previous = sha(previous + content).digest()
                seq += 1
                values.append((document_id, position, ("orderId", "customerId", "state", "amount")[position],
                               value, seq, content, previous))
        db.executemany(insert_document, documents)
        db.executemany(insert_values, values)
        db.execute("UPDATE executions SET chain_first = ?, chain_last = ? WHERE id = ?", (first, seq, execution_id))
        db.execute("COMMIT")
    db.execute("CREATE INDEX tracked_values_by_name_value ON tracked_values (name, value)")
    db.execute("CREATE UNIQUE INDEX tracked_values_by_seq ON tracked_values (seq)")
    db.close()
    print("ORD-%09d" % (order // 2 + 1))


if __name__ == "__main__":
    main()
