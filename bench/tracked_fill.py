"""Fills a Conveyor execution store with tracked-field records for bench/tracked-search.sh.

usage: tracked_fill.py DATABASE RECORDS [EXECUTIONS]

Writes the rows straight into SQLite, exactly as the store writes them for a finished execution
(docs/audit.md): the execution (COMPLETE, id `ex-<start>-<8 hex>`, shape counts of a process
start -> insert-orders -> done), one document row per document, four tracked values per document
(orderId, distinct; customerId; state; amount, a number in its canonical text) with their
sequence numbers, content hashes and chain hashes, then the execution's own chain record (a row of
`audit_entries`, kind `execution` format 1, hashed from the execution row as stored) right after
its tracked values, its chain range (`chain_first`, `chain_last`) and at the end the head of the
chain (`audit_head`, signed when CONVEYOR_SECRET_AUDIT_KEY is set, as conveyor signs it with the
secret AUDIT_KEY). `conveyor audit verify` checks them afterwards.

The database must exist with the current schema and an empty chain (open it once with conveyor
first). The two tracked-value indexes are dropped during the fill and created again at the end,
which builds them faster than inserting into them row by row. Prints the orderId in the middle of
the log.
"""
import datetime
import hashlib
import hmac
import json
import os
import random
import sqlite3
import sys

FIELDS = 4
TAG = b"conveyor-tracked-v1"
# The columns of an execution's chain record, format 1 (AuditEntryKind.execution.columns).
EXECUTION_TAG = b"conveyor-execution-v1"
EXECUTION_COLUMNS = ["id", "process_id", "process_name", "trigger", "status", "start_time", "end_time",
                     "documents_in", "documents_out", "documents_error", "error", "shape_counts", "user_log",
                     "parent_execution_id", "retries", "documents_dead_lettered"]
# Each column as SQLite gives it as text (sqlite3_column_text), NULL kept.
SELECT_EXECUTION = "SELECT %s FROM executions WHERE id = ?" % ", ".join(
    "CAST(%s AS TEXT)" % column for column in EXECUTION_COLUMNS)
GENESIS = bytes(32)


def part(text):
    """A canonical field: 0x01, UTF-8 length (4 bytes big-endian), UTF-8 bytes; 0x00 when absent."""
    if text is None:
        return b"\x00"
    data = text.encode()
    return b"\x01" + len(data).to_bytes(4, "big") + data


def execution_content(db, execution_id):
    """The canonical content of the execution row as stored (ChainWriter.append(.execution, ...))."""
    row = db.execute(SELECT_EXECUTION, (execution_id,)).fetchone()
    content = EXECUTION_TAG
    for name, value in zip(EXECUTION_COLUMNS, row):
        content += part(name) + part(value)
    return content


def shape_counts(documents):
    """The shape_counts JSON the store writes (sorted keys, no spaces) for start -> insert-orders -> done."""
    counts = [("start", 0, documents), ("insert-orders", documents, documents), ("done", documents, documents)]
    return json.dumps([{"documentsError": 0, "documentsIn": n_in, "documentsOut": n_out, "shapeID": shape}
                       for shape, n_in, n_out in counts], sort_keys=True, separators=(",", ":"))


def amount_text(units, cents):
    """The canonical text of a tracked number (TrackedNumber.canonical): no trailing zeros."""
    if cents == 0:
        return "%d" % units
    return "%d.%d" % (units, cents // 10) if cents % 10 == 0 else "%d.%02d" % (units, cents)


def write_head(db, sequence, chain_hash):
    """Stores the head of the chain (AuditHead.write): no checkpoints, verification from the start."""
    signature = None
    secret = os.environ.get("CONVEYOR_SECRET_AUDIT_KEY")
    if secret:
        canonical = b"conveyor-head-v1"
        for text in (str(sequence), chain_hash.hex(), "0", GENESIS.hex(), "0"):
            canonical += part(text)
        signature = hmac.new(secret.encode(), canonical, hashlib.sha256).digest()
    db.execute("INSERT OR REPLACE INTO audit_head (id, seq, chain_hash, start_seq, start_hash, checkpoints, signature) "
               "VALUES (1, ?, ?, 0, ?, 0, ?)", (sequence, chain_hash, GENESIS, signature))


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
    if version < 8:
        sys.exit("the database has schema version %d, before the audit entries (8): use a newer conveyor" % version)
    if db.execute("SELECT COUNT(*) FROM tracked_values").fetchone()[0]:
        sys.exit("the database already holds tracked values")
    if db.execute("SELECT (SELECT COUNT(*) FROM audit_entries) + (SELECT COUNT(*) FROM audit_checkpoints)").fetchone()[0]:
        sys.exit("the database already holds chain records or purge checkpoints")
    db.execute("DROP INDEX tracked_values_by_name_value")
    db.execute("DROP INDEX tracked_values_by_seq")

    processes = [("orders-to-bigquery", "Orders to BigQuery"), ("refunds", "Refunds"), ("invoices", "Invoices")]
    shape_prefix = part("insert-orders") + part("bigquery-local") + part("orders-insert") + part("input")
    states = ["NEW", "PAID", "SHIPPED", "CANCELLED"]
    states_parts = [part(s) for s in states]
    name_parts = [part("orderId"), part("customerId"), part("state"), part("amount")]
    uncut = part("0")
    success = part("success")
    previous = GENESIS
    seq = 0
    document_id = 0
    order = 0
    start_ms = 1767225600000  # 2026-01-01T00:00:00Z
    insert_values = ("INSERT INTO tracked_values (document_id, position, name, value, truncated, seq, "
                     "content_hash, chain_hash) VALUES (?, ?, ?, ?, 0, ?, ?, ?)")
    insert_execution = ("INSERT INTO executions (id, process_id, process_name, trigger, status, start_time, end_time, "
                        "documents_in, documents_out, documents_error, shape_counts) "
                        "VALUES (?, ?, ?, 'schedule', 'COMPLETE', ?, ?, ?, ?, 0, ?)")
    insert_entry = ("INSERT INTO audit_entries (seq, kind, format, execution_id, document_id, checkpoint_id, "
                    "content_hash, chain_hash) VALUES (?, 'execution', 1, ?, NULL, NULL, ?, ?)")
    insert_document = ("INSERT INTO documents (id, execution_id, shape_id, connection_id, operation_id, direction, "
                       "doc_index, status, error, recorded_at, doc_count) "
                       "VALUES (?, ?, 'insert-orders', 'bigquery-local', 'orders-insert', 'input', ?, 'success', "
                       "NULL, ?, 1)")
    sha = hashlib.sha256
    for number in range(executions):
        started = start_ms + number * 600_000
        moment = datetime.datetime.fromtimestamp(started // 1000, tz=datetime.timezone.utc)
        execution_id = "ex-%s-%08x" % (moment.strftime("%Y%m%dT%H%M%SZ"), rng.getrandbits(32))
        process_id, process_name = processes[number % len(processes)]
        db.execute("BEGIN")
        db.execute(insert_execution,
                   (execution_id, process_id, process_name, stamp(started), stamp(started + 300_000),
                    documents_per_execution, documents_per_execution, shape_counts(documents_per_execution)))
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
                      amount_text(rng.randrange(1, 5000), rng.randrange(100)))
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
        # The execution ends: its record follows its tracked values, hashed from the row as stored.
        content = sha(execution_content(db, execution_id)).digest()
        previous = sha(previous + content).digest()
        seq += 1
        db.execute(insert_entry, (seq, execution_id, content, previous))
        db.execute("UPDATE executions SET chain_first = ?, chain_last = ? WHERE id = ?", (first, seq, execution_id))
        db.execute("COMMIT")
    db.execute("CREATE INDEX tracked_values_by_name_value ON tracked_values (name, value)")
    db.execute("CREATE UNIQUE INDEX tracked_values_by_seq ON tracked_values (seq)")
    write_head(db, seq, previous)
    db.close()
    print("ORD-%09d" % (order // 2 + 1))


if __name__ == "__main__":
    main()
