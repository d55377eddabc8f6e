import Foundation

extension ExecutionStore {
    /// The checkpoint of a process's writer for one destination, if an earlier run left one.
    public func writeCheckpoint(processID: String, destination: String) throws -> WriteCheckpoint? {
        try withConnection { connection in
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
                                        updatedAt: Timestamp.date(from: row.text(4) ?? "") ?? Date(timeIntervalSince1970: 0))
            }
            return found
        }
    }

    /// Saves (or replaces) a checkpoint.
    public func save(_ checkpoint: WriteCheckpoint) throws {
        try withConnection { connection in
            try connection.execute(
                """
                INSERT INTO write_checkpoints (process_id, destination, stream, next_offset, rows_done, execution_id, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                ON CONFLICT (process_id, destination) DO UPDATE SET
                    stream = excluded.stream, next_offset = excluded.next_offset, rows_done = excluded.rows_done,
                    execution_id = excluded.execution_id, updated_at = excluded.updated_at
                """,
                [.text(checkpoint.processID), .text(checkpoint.destination), .text(checkpoint.stream),
                 .integer(checkpoint.nextOffset), .integer(checkpoint.rowsDone), .text(checkpoint.executionID),
                 .text(Timestamp.text(from: checkpoint.updatedAt))],
                operation: "save write checkpoint of process \(checkpoint.processID) for \(checkpoint.destination)")
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
}
