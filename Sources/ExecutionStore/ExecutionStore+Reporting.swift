import Foundation

/// Grouped counts for the Process Reporting pages: one query each, whatever the number of
/// processes, executions or documents.
extension ExecutionStore {
    /// How many executions of each process are in each status, by process id; processes without
    /// executions are absent. One grouped query over the executions table.
    public func executionStatusCounts() throws -> [String: [ExecutionStatus: Int]] {
        try withConnection { connection in
            var counts: [String: [ExecutionStatus: Int]] = [:]
            try connection.query(
                "SELECT process_id, status, COUNT(*) FROM executions GROUP BY process_id, status",
                [], operation: "count executions by process and status") { row in
                guard let process = row.text(0), let status = ExecutionStatus(rawValue: row.text(1) ?? "") else { return }
                counts[process, default: [:]][status, default: 0] += row.int(2)
            }
            return counts
        }
    }

    /// How many documents of an execution each shape dead-lettered, by shape id; shapes that
    /// dead-lettered none are absent.
    public func deadLetteredCounts(executionID: String) throws -> [String: Int] {
        try withConnection { connection in
            var counts: [String: Int] = [:]
            try connection.query(
                """
                SELECT shape_id, SUM(doc_count) FROM documents WHERE execution_id = ?1 AND status = ?2
                GROUP BY shape_id
                """,
                [.text(executionID), .text(DocumentStatus.deadLettered.rawValue)],
                operation: "count dead-lettered documents of execution \(executionID)") { row in
                counts[row.text(0) ?? "", default: 0] += row.int(1)
            }
            return counts
        }
    }

    /// The indexes of the documents of an execution that have at least one captured content.
    public func documentContentIndexes(executionID: String) throws -> Set<Int> {
        try withConnection { connection in
            var indexes: Set<Int> = []
            try connection.query(
                "SELECT DISTINCT doc_index FROM document_contents WHERE execution_id = ?1",
                [.text(executionID)], operation: "list the documents with contents of execution \(executionID)") { row in
                indexes.insert(row.int(0))
            }
            return indexes
        }
    }
}
