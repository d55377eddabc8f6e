import PostgresNIO
import ProcessModel

/// The replication slot and publication of a `<cdc>` start shape: checked, created when
/// missing, read (`peek`) and moved (`advance`). Every name is bound or checked and quoted.
struct ChangeSlot: Sendable {
    let capture: ChangeCaptureStart
    let settings: PostgresConnectionSettings

    /// What a stream reads: the publication's tables and their keys, and whether a snapshot waits.
    struct Plan: Sendable {
        var tables: [(schema: String, table: String)]
        var keys: [String: [String]]
        var snapshotPending: Bool
        /// Where the slot stands (its confirmed position).
        var position: String
    }

    /// The publication comment that marks a snapshot as not yet delivered.
    var snapshotMarker: String { "conveyor: snapshot pending for slot \(capture.slot)" }

    private func failure(_ message: String) -> PostgresConnectorError {
        PostgresConnectorError("<cdc> of connection '\(settings.id)' (\(settings.address), database "
                               + "'\(settings.database)'): \(message)")
    }

    private func failure(_ doing: String, _ error: any Error) -> PostgresConnectorError {
        failure("\(doing): \(PostgresPool.describe(error))")
    }

    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Checks the server, creates what is missing, and reads the publication's tables.
    func prepare(on connection: PostgresConnection) async throws -> Plan {
        let logger = PostgresPool.logger
        var level = ""
        do {
            for try await value in try await connection.query("SHOW wal_level", logger: logger).decode(String.self) {
                level = value
            }
        } catch { throw failure("cannot read wal_level", error) }
        guard level == "logical" else {
            throw failure("the server runs with wal_level=\(level); change data capture needs wal_level=logical "
                          + "(set it in postgresql.conf and restart the server)")
        }
        try await preparePublication(on: connection)
        let plan = try await readPlan(on: connection)
        let pending = try await prepareSlot(on: connection)
        var position = ""
        do {
            for try await lsn in try await connection.query(
                "SELECT coalesce(confirmed_flush_lsn::text, '') FROM pg_replication_slots WHERE slot_name = \(capture.slot)",
                logger: PostgresPool.logger).decode(String.self) {
                position = lsn
            }
        } catch { throw failure("cannot read replication slot '\(capture.slot)'", error) }
        return Plan(tables: plan.tables, keys: plan.keys, snapshotPending: pending, position: position)
    }

    private func preparePublication(on connection: PostgresConnection) async throws {
        let logger = PostgresPool.logger
        var exists = false
        var published: Set<String> = []
        do {
            for try await _ in try await connection.query(
                "SELECT pubname FROM pg_publication WHERE pubname = \(capture.publication)", logger: logger) {
                exists = true
            }
            for try await (schema, table) in try await connection.query(
                "SELECT schemaname::text, tablename::text FROM pg_publication_tables WHERE pubname = \(capture.publication)",
                logger: logger).decode((String, String).self) {
                published.insert("\(schema).\(table)")
            }
        } catch { throw failure("cannot read publication '\(capture.publication)'", error) }
        if !exists, capture.tables.isEmpty {
            throw failure("publication '\(capture.publication)' does not exist, and <cdc> names no tables=\"schema.table …\" to create it with")
        }
        let missing = capture.tables.filter { !published.contains($0) }
        guard !missing.isEmpty else { return }
        for table in missing {
            var found = false
            do {
                for try await value in try await connection.query("SELECT to_regclass(\(Self.quotedTable(table))) IS NOT NULL",
                                                                   logger: logger).decode(Bool.self) {
                    found = value
                }
            } catch { throw failure("cannot look up table \(table)", error) }
            guard found else { throw failure("table \(table) (in tables=) does not exist") }
        }
        let list = missing.map(Self.quotedTable).joined(separator: ", ")
        let sql = exists ? "ALTER PUBLICATION \(Self.quoted(capture.publication)) ADD TABLE \(list)"
                         : "CREATE PUBLICATION \(Self.quoted(capture.publication)) FOR TABLE \(list)"
        do {
            try await PostgresStatement.run(sql, on: connection)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42501" {
            throw failure("role '\(settings.user)' may not \(exists ? "add tables to" : "create") publication "
                          + "'\(capture.publication)': it must own the tables (and have CREATE on the database); "
                          + PostgresPool.describe(error))
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42710" {
            // Created by another execution at the same time.
        } catch {
            throw failure("cannot \(exists ? "add \(missing.joined(separator: ", ")) to" : "create") publication '\(capture.publication)'", error)
        }
    }

    /// `crm.customers` → `"crm"."customers"`.
    static func quotedTable(_ name: String) -> String {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        return parts.map(quoted).joined(separator: ".")
    }

    private func readPlan(on connection: PostgresConnection) async throws -> (tables: [(schema: String, table: String)], keys: [String: [String]]) {
        var tables: [(schema: String, table: String)] = []
        var keys: [String: [String]] = [:]
        let query: PostgresQuery = """
            SELECT p.schemaname::text, p.tablename::text,
                   coalesce((SELECT string_agg(a.attname::text, ',' ORDER BY array_position(i.indkey::int2[], a.attnum))
                             FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                             WHERE i.indrelid = c.oid AND i.indisprimary), '')
            FROM pg_publication_tables p
            JOIN pg_namespace n ON n.nspname = p.schemaname
            JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.tablename
            WHERE p.pubname = \(capture.publication)
            ORDER BY 1, 2
            """
        do {
            for try await (schema, table, key) in try await connection.query(query, logger: PostgresPool.logger)
                .decode((String, String, String).self) {
                tables.append((schema, table))
                keys["\(schema).\(table)"] = key.isEmpty ? [] : key.split(separator: ",").map(String.init)
            }
        } catch { throw failure("cannot read the tables of publication '\(capture.publication)'", error) }
        guard !tables.isEmpty else { throw failure("publication '\(capture.publication)' has no tables") }
        let keyless = tables.filter { keys["\($0.schema).\($0.table)"]?.isEmpty ?? true }.map { "\($0.schema).\($0.table)" }
        guard keyless.isEmpty else {
            throw failure("table\(keyless.count == 1 ? "" : "s") \(keyless.joined(separator: ", ")) of publication "
                          + "'\(capture.publication)' \(keyless.count == 1 ? "has" : "have") no primary key: change data "
                          + "capture keys every change (and deletes name their row) by it")
        }
        return (tables, keys)
    }

    /// Creates the slot when missing (marking a snapshot as pending first, when asked for one);
    /// returns whether a snapshot waits to be delivered.
    private func prepareSlot(on connection: PostgresConnection) async throws -> Bool {
        let logger = PostgresPool.logger
        var found: (plugin: String, database: String)?
        var comment: String?
        do {
            for try await (plugin, database) in try await connection.query(
                "SELECT coalesce(plugin::text, ''), coalesce(database::text, '') FROM pg_replication_slots WHERE slot_name = \(capture.slot)",
                logger: logger).decode((String, String).self) {
                found = (plugin, database)
            }
            for try await text in try await connection.query(
                "SELECT obj_description(oid, 'pg_publication') FROM pg_publication WHERE pubname = \(capture.publication)",
                logger: logger).decode(String?.self) {
                comment = text
            }
        } catch { throw failure("cannot read replication slot '\(capture.slot)'", error) }
        if let found {
            guard found.plugin == "wal2json" else {
                throw failure("replication slot '\(capture.slot)' exists with output plugin '\(found.plugin)'; <cdc> reads "
                              + "wal2json slots: name another slot, or drop it (SELECT pg_drop_replication_slot('\(capture.slot)'))")
            }
            guard found.database == settings.database else {
                throw failure("replication slot '\(capture.slot)' belongs to database '\(found.database)', not '\(settings.database)'")
            }
            return capture.snapshot && comment == snapshotMarker
        }
        if capture.snapshot { try await setComment(snapshotMarker, on: connection) }
        // Creating a slot waits for every transaction open on the server to end: bounded, and named.
        // (A failure below closes the connection, so the setting does not outlive it.)
        try await PostgresStatement.run("SET statement_timeout = '\(Self.creationTimeoutSeconds)s'", on: connection)
        do {
            for try await _ in try await connection.query(
                "SELECT lsn::text FROM pg_create_logical_replication_slot(\(capture.slot)::name, 'wal2json')", logger: logger) {}
            try await PostgresStatement.run("SET statement_timeout = 0", on: connection)
        } catch let error as PSQLError {
            switch error.serverInfo?[.sqlState] {
            case "57014":
                throw failure("creating replication slot '\(capture.slot)' waited \(Self.creationTimeoutSeconds) s for the "
                              + "transactions open on the server to end (\(await oldestTransaction(on: connection))); "
                              + "it is tried again by the next execution")
            case "42710":
                return capture.snapshot // created by another execution at the same time
            case "42501":
                throw failure("role '\(settings.user)' may not create replication slots: it needs the REPLICATION "
                              + "attribute (ALTER ROLE \(settings.user) REPLICATION) or superuser; \(PostgresPool.describe(error))")
            case "58P01":
                throw failure("the server has no wal2json output plugin (install the postgresql-NN-wal2json package of "
                              + "its version); \(PostgresPool.describe(error))")
            default:
                throw failure("cannot create replication slot '\(capture.slot)'", error)
            }
        }
        return capture.snapshot
    }

    static let creationTimeoutSeconds = 60

    /// The oldest transaction open on the server, in words (what a new slot waits for).
    private func oldestTransaction(on connection: PostgresConnection) async -> String {
        let query: PostgresQuery = """
            SELECT pid, coalesce(state, ''), coalesce(datname::text, ''), coalesce(to_char(xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '')
            FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND xact_start IS NOT NULL AND (backend_xid IS NOT NULL OR backend_xmin IS NOT NULL)
            ORDER BY xact_start LIMIT 1
            """
        do {
            try await PostgresStatement.run("SET statement_timeout = 0", on: connection)
            for try await (pid, state, database, started) in try await connection.query(query, logger: PostgresPool.logger)
                .decode((Int32, String, String, String).self) {
                return "the oldest: pid \(pid) in database '\(database)', \(state) since \(started)"
            }
        } catch {}
        return "none is left now"
    }

    /// Sets (or with nil clears) the publication's comment: the snapshot marker.
    func setComment(_ text: String?, on connection: PostgresConnection) async throws {
        let literal = text.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL"
        do {
            try await PostgresStatement.run("COMMENT ON PUBLICATION \(Self.quoted(capture.publication)) IS \(literal)", on: connection)
        } catch { throw failure("cannot mark the snapshot on publication '\(capture.publication)'", error) }
    }

    /// wal2json's options: one row per change, transactions' begin and commit, keys, types, times.
    func peekQuery(upTo lsn: String?, changes: Int?, tables: [(schema: String, table: String)], counting: Bool) -> PostgresQuery {
        let filter = tables.map { Self.escapedForWal2json($0.schema) + "." + Self.escapedForWal2json($0.table) }
            .joined(separator: ",")
        var query: PostgresQuery = """
            FROM pg_logical_slot_peek_changes(\(capture.slot)::name, \(lsn)::pg_lsn, \(changes)::int,
                 'format-version', '2', 'include-transaction', 'true', 'include-pk', 'true', 'include-types', 'true',
                 'include-timestamp', 'true', 'include-xids', 'true', 'include-lsn', 'true', 'add-tables', \(filter))
            """
        query.sql = counting
            ? "SELECT count(*) FILTER (WHERE data NOT LIKE '{\"action\":\"B\"%' AND data NOT LIKE '{\"action\":\"C\"%'), "
                + "max(lsn) FILTER (WHERE data LIKE '{\"action\":\"C\"%')::text " + query.sql
            : "SELECT lsn::text, data " + query.sql
        return query
    }

    /// wal2json's table names escape `,`, `.` and `\` with a backslash.
    static func escapedForWal2json(_ name: String) -> String {
        var result = ""
        for character in name {
            if character == "," || character == "." || character == "\\" || character == "*" { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// Moves the slot to `lsn` unless it is there or past it already; waits a moment while
    /// another session reads it.
    func advance(to lsn: String, on connection: PostgresConnection) async throws {
        let query: PostgresQuery = """
            SELECT pg_replication_slot_advance(slot_name, \(lsn)::pg_lsn)::text FROM pg_replication_slots
            WHERE slot_name = \(capture.slot) AND confirmed_flush_lsn < \(lsn)::pg_lsn
            """
        var attempt = 0
        while true {
            do {
                for try await _ in try await connection.query(query, logger: PostgresPool.logger) {}
                return
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55006" && attempt < 50 {
                // "replication slot … is active": another execution peeks at it right now.
                attempt += 1
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                throw failure("cannot move replication slot '\(capture.slot)' to \(lsn)", error)
            }
        }
    }
}
