import ConveyorBase
import DocumentMapping
import Foundation
import PostgresNIO
import ProcessEngine
import ProcessModel
import Synchronization

/// The change stream of one execution: a snapshot first when one is pending, then the changes
/// the slot holds (peeked, not consumed). The slot moves past them in ``settle(succeeded:)``,
/// only once the execution ended without ERROR: a failure or a crash reads them again.
final class PostgresChangeReader: ChangeReader {
    let slot: ChangeSlot
    let mode: ChangeReadMode
    private struct State {
        /// The end of the last transaction whose changes were all handed over.
        var handedOver: String?
        var changes = 0
        var transactions = 0
        var snapshotRows = 0
        var snapshotTaken = false
    }
    private let state = Mutex(State())

    init(slot: ChangeSlot, mode: ChangeReadMode) {
        self.slot = slot
        self.mode = mode
    }

    func read(context: OperationContext, emit: ([Document]) async throws -> Void) async throws {
        let connection = try await PostgresPool.connect(slot.settings, id: 1)
        do {
            try await read(on: connection, context: context, emit: emit)
            try? await connection.close()
        } catch let error as PSQLError {
            try? await connection.close()
            throw PostgresConnectorError("<cdc> slot '\(slot.capture.slot)' on \(slot.settings.address): "
                                         + PostgresPool.describe(error))
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private func read(on connection: PostgresConnection, context: OperationContext,
                      emit: ([Document]) async throws -> Void) async throws {
        let plan = try await slot.prepare(on: connection)
        // Values are written by the server's output functions: ISO times in UTC.
        for setting in ["TimeZone = 'UTC'", "DateStyle = 'ISO, YMD'", "extra_float_digits = 3"] {
            try await PostgresStatement.run("SET " + setting, on: connection)
        }
        var upTo: String?
        var limit: Int?
        switch mode {
        case .batch(let changes): limit = changes
        case .untilCaughtUp:
            for try await lsn in try await connection.query("SELECT pg_current_wal_lsn()::text", logger: PostgresPool.logger)
                .decode(String.self) {
                upTo = lsn
            }
        }
        if plan.snapshotPending {
            try await snapshot(plan, context: context, emit: emit)
        }
        var decoder = ChangeDecoder(keys: plan.keys)
        var chunk: [Document] = []
        var chunkChanges = 0
        let chunkSize = max(1, context.chunkSize)
        func handOver() async throws {
            if !chunk.isEmpty { try await emit(chunk) }
            let commit = decoder.lastCommit
            let transactions = decoder.transactions
            state.withLock { state in
                if let commit { state.handedOver = commit }
                state.changes += chunkChanges
                state.transactions = transactions
            }
            chunk.removeAll(keepingCapacity: true)
            chunkChanges = 0
        }
        let query = slot.peekQuery(upTo: upTo, changes: limit, tables: plan.tables, counting: false)
        do {
            for try await (lsn, data) in try await connection.query(query, logger: PostgresPool.logger)
                .decode((String, String).self) {
                let documents = try decoder.decode(lsn: lsn, data: data)
                chunk += documents
                chunkChanges += documents.count
                // The slot may move only to the end of a transaction whose changes were all handed over.
                if chunk.count >= chunkSize { try await handOver() }
            }
        } catch let error as PSQLError {
            throw PostgresConnectorError("<cdc> slot '\(slot.capture.slot)' on \(slot.settings.address): cannot read "
                                         + "the changes: \(PostgresPool.describe(error))")
        }
        try await handOver()
    }

    /// Every row of the publication's tables, as inserts, before the changes.
    private func snapshot(_ plan: ChangeSlot.Plan, context: OperationContext,
                          emit: ([Document]) async throws -> Void) async throws {
        let pool = PostgresPool(settings: slot.settings)
        let started = RFC3339.text(micros: Int64(Date().timeIntervalSince1970 * 1_000_000), fraction: .microsecondsUnlessZero)
        defer { Task { await pool.close() } }
        for (schema, table) in plan.tables {
            let sql = "SELECT * FROM \(ChangeSlot.quoted(schema)).\(ChangeSlot.quoted(table))"
            let settings = PostgresOperationSettings(id: "cdc-snapshot", action: .query, sql: sql, parameters: [],
                                                     batchCount: PostgresOperationSettings.defaultBatchCount)
            let operation = PostgresQueryOperation(statement: PostgresStatement(settings: settings, connection: slot.settings),
                                                   pool: pool)
            let properties: [String: String] = [
                "schema": schema, "table": table, "op": "insert", "snapshot": "true",
                "lsn": plan.position, "commit_time": started, "xid": "",
                "key_columns": (plan.keys["\(schema).\(table)"] ?? []).joined(separator: ","),
            ]
            try await operation.read(context: context, emit: { rows in
                var documents = rows
                for index in documents.indices {
                    for (name, value) in properties { documents[index].properties[name] = value }
                }
                state.withLock { $0.snapshotRows += documents.count }
                try await emit(documents)
            })
        }
        state.withLock { $0.snapshotTaken = true }
    }

    func settle(succeeded: Bool) async -> String {
        let done = state.withLock { $0 }
        let name = "slot '\(slot.capture.slot)'"
        let read = "\(done.changes) change(s) in \(done.transactions) transaction(s)"
            + (done.snapshotTaken ? " after a snapshot of \(done.snapshotRows) row(s)" : "")
        guard succeeded else {
            if done.changes == 0, !done.snapshotTaken { return "the execution did not end without ERROR: \(name) was not moved" }
            return "the execution did not end without ERROR: \(name) was not moved, and its \(read) will be read again"
        }
        guard done.handedOver != nil || done.snapshotTaken else { return "no change to read: \(name) stays where it is" }
        do {
            let connection = try await PostgresPool.connect(slot.settings, id: 2)
            defer { Task { try? await connection.close() } }
            if let lsn = done.handedOver { try await slot.advance(to: lsn, on: connection) }
            if done.snapshotTaken { try await slot.setComment(nil, on: connection) }
            return "read \(read); \(name) moved past them" + (done.handedOver.map { " (to \($0))" } ?? "")
        } catch {
            return "read \(read), but \(name) could not be moved past them, so they will be read again: \(error)"
        }
    }

    func close() async {}
}

/// A host's watch on a slot: counts the changes waiting (peeking at them), and moves the slot
/// past transactions that hold none of the publication's changes.
actor PostgresChangeWatcher: ChangeWatcher {
    let slot: ChangeSlot
    private var connection: PostgresConnection?
    private var plan: ChangeSlot.Plan?

    init(slot: ChangeSlot) {
        self.slot = slot
    }

    func waitingChanges(upTo limit: Int) async throws -> Int {
        do {
            let connection = try await open()
            guard let plan else { return 0 }
            var waiting = 0
            var commit: String?
            let query = slot.peekQuery(upTo: nil, changes: limit, tables: plan.tables, counting: true)
            for try await (count, last) in try await connection.query(query, logger: PostgresPool.logger)
                .decode((Int64, String?).self) {
                waiting = Int(count)
                commit = last
            }
            if waiting == 0, let commit { try await slot.advance(to: commit, on: connection) }
            return waiting
        } catch {
            if let connection { try? await connection.close() }
            connection = nil
            plan = nil
            throw error
        }
    }

    private func open() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        let opened = try await PostgresPool.connect(slot.settings, id: 3)
        connection = opened
        plan = try await slot.prepare(on: opened)
        return opened
    }

    func close() async {
        if let connection { try? await connection.close() }
        connection = nil
    }
}
