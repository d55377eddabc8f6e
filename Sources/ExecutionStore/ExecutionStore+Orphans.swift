import Foundation

extension ExecutionStore {
    /// Where commands keep the ``ExecutionLease`` files of the executions they run:
    /// `<database file>-running`; nil for an in-memory store.
    public var leaseDirectory: String? {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else { return nil }
        return path + "-running"
    }

    /// Takes the lease of an execution about to run; nil for an in-memory store.
    public func lease(executionID: String) throws -> ExecutionLease? {
        guard let leaseDirectory else { return nil }
        return try ExecutionLease.acquire(executionID: executionID, directory: leaseDirectory)
    }

    /// Marks `ABORTED` the executions still `INPROCESS` whose lease is free: the command that ran
    /// them ended without finishing them (crash, SIGKILL). Their child executions still
    /// `INPROCESS` are aborted with them. Executions without a lease file are left alone.
    /// Returns the ids it changed.
    @discardableResult
    public func abortOrphaned(at date: Date = Date()) throws -> [String] {
        guard let leaseDirectory,
              let names = try? FileManager.default.contentsOfDirectory(atPath: leaseDirectory) else { return [] }
        var aborted: [String] = []
        for name in names.sorted() where name.hasSuffix(".lock") && !name.hasPrefix(".") {
            let id = String(name.dropLast(".lock".count))
            let path = leaseDirectory + "/" + name
            let pid = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            _ = try ExecutionLease.checkHeld(path: path) {
                let family = try inProcessFamily(of: id)
                guard !family.isEmpty else { return }
                let owner = pid.isEmpty ? "" : " (pid \(pid))"
                aborted += try abortInProcess(
                    ids: family,
                    message: "aborted: the command running it\(owner) ended (crash or kill) before the execution finished",
                    at: date)
            }
        }
        return aborted
    }

    /// `id` and its descendants that are still `INPROCESS`.
    private func inProcessFamily(of id: String) throws -> [String] {
        try withConnection { connection in
            var found: [String] = []
            try connection.query(
                """
                WITH RECURSIVE family(id) AS (
                    SELECT ?1 UNION SELECT e.id FROM executions e JOIN family f ON e.parent_execution_id = f.id
                )
                SELECT e.id FROM executions e JOIN family f ON e.id = f.id WHERE e.status = 'INPROCESS'
                """,
                [.text(id)], operation: "find the unfinished executions of \(id)") { row in
                if let found1 = row.text(0) { found.append(found1) }
            }
            return found
        }
    }
}
