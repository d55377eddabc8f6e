/// The database schema as numbered migrations, tracked with `PRAGMA user_version`.
///
/// Migration *n* (1-based) brings a database from version *n - 1* to *n*.
/// Append new migrations; never edit a released one.
enum Schema {
    static let migrations: [String] = [
        // 1: executions, documents and their tracked values.
        """
        CREATE TABLE executions (
            id              TEXT PRIMARY KEY NOT NULL,
            process_id      TEXT NOT NULL,
            process_name    TEXT NOT NULL,
            trigger         TEXT NOT NULL,
            status          TEXT NOT NULL,
            start_time      TEXT NOT NULL,
            end_time        TEXT,
            documents_in    INTEGER NOT NULL DEFAULT 0,
            documents_out   INTEGER NOT NULL DEFAULT 0,
            documents_error INTEGER NOT NULL DEFAULT 0,
            error           TEXT,
            shape_counts    TEXT NOT NULL DEFAULT '[]',
            user_log        TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX executions_by_start ON executions (start_time);
        CREATE INDEX executions_by_process ON executions (process_id, start_time);
        CREATE INDEX executions_by_status ON executions (status, start_time);

        CREATE TABLE documents (
            id            INTEGER PRIMARY KEY,
            execution_id  TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
            shape_id      TEXT NOT NULL,
            connection_id TEXT,
            operation_id  TEXT,
            direction     TEXT NOT NULL,
            doc_index     INTEGER NOT NULL,
            status        TEXT NOT NULL,
            error         TEXT,
            recorded_at   TEXT NOT NULL
        );
        CREATE INDEX documents_by_execution ON documents (execution_id, id);

        CREATE TABLE tracked_values (
            document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            position    INTEGER NOT NULL,
            name        TEXT NOT NULL,
            value       TEXT NOT NULL,
            truncated   INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (document_id, position)
        ) WITHOUT ROWID;
        CREATE INDEX tracked_values_by_name_value ON tracked_values (name, value);
        """,
        // 2: process properties kept from one execution to the next (`persist="true"`).
        """
        CREATE TABLE process_properties (
            process_id   TEXT NOT NULL,
            name         TEXT NOT NULL,
            value        TEXT NOT NULL,
            execution_id TEXT NOT NULL,
            updated_at   TEXT NOT NULL,
            PRIMARY KEY (process_id, name)
        ) WITHOUT ROWID;
        """,
        // 3: a document row may stand for a run of consecutive successful documents without
        // tracked values (`doc_count` documents from `doc_index`); child executions name their parent.
        """
        ALTER TABLE documents ADD COLUMN doc_count INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE executions ADD COLUMN parent_execution_id TEXT;
        CREATE INDEX executions_by_parent ON executions (parent_execution_id, start_time)
            WHERE parent_execution_id IS NOT NULL;
        """,
        // 4: the audit trail. Each tracked value gets a sequence number, the SHA-256 of its content
        // and a chain hash linking it to the previous one; executions remember the first and last
        // sequence numbers of their tracked values; purges leave checkpoints.
        """
        ALTER TABLE tracked_values ADD COLUMN seq INTEGER;
        ALTER TABLE tracked_values ADD COLUMN content_hash BLOB;
        ALTER TABLE tracked_values ADD COLUMN chain_hash BLOB;
        CREATE UNIQUE INDEX tracked_values_by_seq ON tracked_values (seq);
        ALTER TABLE executions ADD COLUMN chain_first INTEGER;
        ALTER TABLE executions ADD COLUMN chain_last INTEGER;
        CREATE TABLE audit_checkpoints (
            id                INTEGER PRIMARY KEY,
            created_at        TEXT NOT NULL,
            cutoff            TEXT NOT NULL,
            last_seq          INTEGER NOT NULL,
            last_chain_hash   BLOB NOT NULL,
            records_purged    INTEGER NOT NULL DEFAULT 0,
            documents_purged  INTEGER NOT NULL DEFAULT 0,
            executions_purged INTEGER NOT NULL DEFAULT 0
        );
        """,
        // 5: exactly-once write checkpoints (stream and last acknowledged offset per process and table).
        """
        CREATE TABLE IF NOT EXISTS write_checkpoints (
            process_id   TEXT NOT NULL,
            destination  TEXT NOT NULL,
            stream       TEXT NOT NULL,
            next_offset  INTEGER NOT NULL,
            rows_done    INTEGER NOT NULL,
            execution_id TEXT NOT NULL,
            updated_at   TEXT NOT NULL,
            PRIMARY KEY (process_id, destination)
        ) WITHOUT ROWID;
        """,
        // 6: how many requests an execution's connectors sent again after transient failures.
        """
        ALTER TABLE executions ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
        """,
        // 7: documents a connector kept in its dead-letter queue; the command running an execution
        // (host, pid and process start), to tell a dead one from a live one when its lease file is gone.
        """
        ALTER TABLE executions ADD COLUMN documents_dead_lettered INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE executions ADD COLUMN owner TEXT;
        """,
        // 8: the audit chain covers finished executions, documents with errors and purge checkpoints
        // (rows of audit_entries, sharing the sequence of tracked values); the head of the chain is
        // kept, and with the checkpoints signed when the store has an audit key.
        """
        CREATE TABLE audit_entries (
            seq           INTEGER PRIMARY KEY,
            kind          TEXT NOT NULL,
            format        INTEGER NOT NULL,
            execution_id  TEXT REFERENCES executions (id) ON DELETE CASCADE,
            document_id   INTEGER REFERENCES documents (id) ON DELETE CASCADE,
            checkpoint_id INTEGER,
            content_hash  BLOB NOT NULL,
            chain_hash    BLOB NOT NULL
        );
        CREATE INDEX audit_entries_by_execution ON audit_entries (execution_id, kind, seq);
        CREATE INDEX audit_entries_by_document ON audit_entries (document_id);
        CREATE INDEX audit_entries_by_checkpoint ON audit_entries (checkpoint_id);
        ALTER TABLE audit_checkpoints ADD COLUMN signature BLOB;
        CREATE TABLE audit_head (
            id          INTEGER PRIMARY KEY CHECK (id = 1),
            seq         INTEGER NOT NULL,
            chain_hash  BLOB NOT NULL,
            start_seq   INTEGER NOT NULL,
            start_hash  BLOB NOT NULL,
            checkpoints INTEGER NOT NULL,
            signature   BLOB
        );
        """,
        // 9: what kind of failure a document's error is (a stable code); NULL for older rows.
        """
        ALTER TABLE documents ADD COLUMN error_code TEXT;
        """,
        // 10: the host that ran an execution (a cluster's `--host-id`; NULL outside a host).
        """
        ALTER TABLE executions ADD COLUMN host TEXT;
        """,
        // 11: documents' contents kept at connector shapes (`captureDocuments`), secret values
        // redacted and cut at the process's `captureLimit`; removed with their execution.
        """
        CREATE TABLE document_contents (
            id            INTEGER PRIMARY KEY,
            execution_id  TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
            shape_id      TEXT NOT NULL,
            connection_id TEXT,
            operation_id  TEXT,
            direction     TEXT NOT NULL,
            doc_index     INTEGER NOT NULL,
            status        TEXT NOT NULL,
            content       BLOB NOT NULL,
            size          INTEGER NOT NULL,
            cut           INTEGER NOT NULL DEFAULT 0,
            redacted      INTEGER NOT NULL DEFAULT 0,
            properties    TEXT NOT NULL DEFAULT '{}',
            error         TEXT,
            error_code    TEXT,
            recorded_at   TEXT NOT NULL
        );
        CREATE INDEX document_contents_by_execution ON document_contents (execution_id, doc_index, id);
        """,
    ]

    /// The version a database has once every migration ran.
    static var currentVersion: Int { migrations.count }

    /// Brings the database up to ``currentVersion``; does nothing when it is there already.
    ///
    /// Runs in one write transaction and re-reads the version inside it, so two
    /// processes opening a new file at once migrate it exactly once.
    static func migrate(_ connection: any StoreConnection) throws {
        let operation = "migrate schema"
        guard try version(connection, operation: operation) != currentVersion else { return }
        try connection.transaction(.write, operation: operation) {
            let found = try version(connection, operation: operation)
            guard found <= currentVersion else {
                throw StoreError(
                    operation: operation,
                    message: "the database has schema version \(found), newer than the \(currentVersion) "
                        + "this build understands; use a newer build or another database file",
                    path: connection.path)
            }
            for script in migrations.dropFirst(found) {
                try connection.executeScript(script, operation: operation)
            }
            try connection.executeScript("PRAGMA user_version = \(currentVersion)", operation: operation)
        }
    }

    private static func version(_ connection: any StoreConnection, operation: String) throws -> Int {
        var version = 0
        try connection.query("PRAGMA user_version", operation: operation) { version = $0.int(0) }
        return version
    }
}
