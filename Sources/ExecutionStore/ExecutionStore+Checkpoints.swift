import Foundation

extension ExecutionStore {
    /// The checkpoint of a process's writer for one destination, if an earlier run left one.
    public func writeCheckpoint(processID: String, destination: String) throws -> WriteCheckpoint? {
        try withConnection { connection in
            try Self.readCheckpoint(processID: processID, destination: destination, connection)
        }
    }

    private static func readCheckpoint(processID: String, destination: String,
                                       _ connection: any StoreConnection) throws -> WriteCheckpoint? {
        let context = "read write checkpoint of process \(processID) for \(destination)"
        var found: WriteCheckpoint?
        try connection.query(
            """
            SELECT stream, next_offset, rows_done, execution_id, updated_at FROM write_checkpoints
            WHERE process_id = ?1 AND destination = ?2
            """,
            [.text(processID), .text(destination)], operation: context) { row in
            found = WriteCheckpoint(processID: processID, destination: destination, stream: row.text(0) ?? "",
                                    nextOffset: row.int64(1), rowsDone: row.int64(2),
                                    executionID: row.text(3) ?? "",
                                    updatedAt: StoreTimestamp.date(from: row.text(4) ?? "") ?? Date(timeIntervalSince1970: 0))
        }
        return found
    }

    /// Makes the checkpoint of `processID` for `destination` belong to `executionID`, in one write
    /// transaction: a new, empty one when there is none (``WriteCheckpointClaim/fresh``); the one an
    /// ended execution left (``WriteCheckpointClaim/resumed(_:)``); or nothing, when the execution
    /// owning it is still running (``WriteCheckpointClaim/held(by:)``).
    ///
    /// An execution counts as running while the lease of its top-level execution is held (see
    /// ``ExecutionLease``); in a store without lease files, while its record is `INPROCESS`.
    public func claimWriteCheckpoint(processID: String, destination: String,
                                     executionID: String) throws -> WriteCheckpointClaim {
        let leases = leaseDirectory
        let date = Date()
        return try withConnection { connection in
            let context = "claim write checkpoint of process \(processID) for \(destination)"
            return try connection.transaction(.write, operation: context) {
                let found = try Self.readCheckpoint(processID: processID, destination: destination, connection)
                if let found {
                    let running = try found.executionID == executionID
                        || Self.isRunning(found.executionID, leases: leases, connection)
                    if running {
                        return .held(by: found.executionID)
                    }
                    try connection.execute(
                        """
                        UPDATE write_checkpoints SET execution_id = ?3, updated_at = ?4
                        WHERE process_id = ?1 AND destination = ?2
                        """,
                        [.text(processID), .text(destination), .text(executionID), .text(StoreTimestamp.text(from: date))],
                        operation: context)
                    var claimed = found
                    claimed.executionID = executionID
                    claimed.updatedAt = date
                    return .resumed(claimed)
                }
                try connection.execute(
                    """
                    INSERT INTO write_checkpoints (process_id, destination, stream, next_offset, rows_done, execution_id, updated_at)
                    VALUES (?1, ?2, '', 0, 0, ?3, ?4)
                    """,
                    [.text(processID), .text(destination), .text(executionID), .text(StoreTimestamp.text(from: date))],
                    operation: context)
                return .fresh
            }
        }
    }

    /// Whether execution `id` is still running: the lease of its top-level execution is held.
    private static func isRunning(_ id: String, leases: String?, _ connection: any StoreConnection) throws -> Bool {
        var root = id
        var status: String?
        var seen: Set<String> = []
        while seen.insert(root).inserted {
            var parent: String?
            var rowStatus: String?
            try connection.query("SELECT parent_execution_id, status FROM executions WHERE id = ?1", [.text(root)],
                                 operation: "find the top-level execution of \(id)") { row in
                parent = row.text(0)
                rowStatus = row.text(1)
            }
            if status == nil { status = rowStatus }
            guard let parent else { break }
            root = parent
        }
        if connection.dialect == .postgres {
            return try PostgresLockSession.isHeld(PostgresLockSession.executionLock(root), on: connection)
        }
        guard let leases else { return status == ExecutionStatus.inProcess.rawValue }
        return ExecutionLease.isHeld(path: leases + "/" + ExecutionLease.fileName(root))
    }

    /// Saves a checkpoint: creates it, or moves it forward. A checkpoint never goes backwards: a
    /// save of the same stream with a smaller offset or fewer rows done leaves the saved one as it is.
    ///
    /// - Throws: ``StoreError`` when the checkpoint belongs to another execution, or to another
    ///   stream: the saving writer no longer owns it and must not write under it.
    ///
    /// The save is one statement, atomic on its own (a row lock on PostgreSQL), outside the store's
    /// write lock: a writer saving after each request never waits for another execution's long
    /// transaction (a batch of document records). Only a running execution saves, and a claim
    /// takes over only the checkpoint of one that ended, so the two never race on a row.
    public func save(_ checkpoint: WriteCheckpoint) throws {
        try withConnection { connection in
            let context = "save write checkpoint of process \(checkpoint.processID) for \(checkpoint.destination)"
            try connection.execute(
                """
                INSERT INTO write_checkpoints (process_id, destination, stream, next_offset, rows_done, execution_id, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                ON CONFLICT (process_id, destination) DO UPDATE SET
                    stream = excluded.stream, next_offset = excluded.next_offset, rows_done = excluded.rows_done,
                    updated_at = excluded.updated_at
                WHERE write_checkpoints.execution_id = excluded.execution_id
                    AND (write_checkpoints.stream = ''
                         OR (write_checkpoints.stream = excluded.stream
                             AND excluded.next_offset >= write_checkpoints.next_offset
                             AND excluded.rows_done >= write_checkpoints.rows_done))
                """,
                [.text(checkpoint.processID), .text(checkpoint.destination), .text(checkpoint.stream),
                 .integer(checkpoint.nextOffset), .integer(checkpoint.rowsDone), .text(checkpoint.executionID),
                 .text(StoreTimestamp.text(from: checkpoint.updatedAt))],
                operation: context)
            guard connection.changes == 0,
                  let saved = try Self.readCheckpoint(processID: checkpoint.processID,
                                                      destination: checkpoint.destination, connection) else { return }
            if saved.executionID != checkpoint.executionID {
                throw StoreError(operation: context,
                                 message: "the checkpoint belongs to execution \(saved.executionID), not \(checkpoint.executionID)",
                                 path: connection.path)
            }
            if saved.stream != checkpoint.stream {
                throw StoreError(operation: context,
                                 message: "the checkpoint is of stream \(saved.stream), not \(checkpoint.stream)",
                                 path: connection.path)
            }
            // Same owner and stream, but behind the saved one: the saved one stays.
        }
    }

    /// Removes a checkpoint once its writer finished; returns whether there was one.
    @discardableResult
    public func removeWriteCheckpoint(processID: String, destination: String) throws -> Bool {
        try withConnection { connection in
            let context = "remove write checkpoint of process \(processID) for \(destination)"
            var count = 0
            try connection.query("DELETE FROM write_checkpoints WHERE process_id = ?1 AND destination = ?2 RETURNING 1",
                                 [.text(processID), .text(destination)], operation: context) { _ in count += 1 }
            return count > 0
        }
    }

    /// Removes a checkpoint if `executionID` owns it; returns whether it did.
    @discardableResult
    public func removeWriteCheckpoint(processID: String, destination: String, executionID: String) throws -> Bool {
        try withConnection { connection in
            let context = "remove write checkpoint of process \(processID) for \(destination)"
            var count = 0
            try connection.query(
                """
                DELETE FROM write_checkpoints WHERE process_id = ?1 AND destination = ?2 AND execution_id = ?3 RETURNING 1
                """,
                [.text(processID), .text(destination), .text(executionID)], operation: context) { _ in count += 1 }
            return count > 0
        }
    }
}
