import ConveyorBase
import Foundation

extension ExecutionStore {
    /// Where commands keep the ``ExecutionLease`` files of the executions they run:
    /// `<database file>-running`; nil for an in-memory store.
    public var leaseDirectory: String? {
        guard postgres == nil, !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else { return nil }
        return path + "-running"
    }

    /// Takes the lease of an execution about to run; nil for an in-memory store.
    public func lease(executionID: String) throws -> ExecutionLease? {
        if let lockSession {
            let name = PostgresLockSession.executionLock(executionID)
            guard try lockSession.tryLock(name) else {
                throw StoreError(operation: "take the lease of execution \(executionID)",
                                 message: "another command holds it", path: path)
            }
            return ExecutionLease(session: lockSession, name: name)
        }
        guard let leaseDirectory else { return nil }
        return try ExecutionLease.acquire(executionID: executionID, directory: leaseDirectory)
    }

    /// Marks `ABORTED` the executions still `INPROCESS` whose lease is free: the command that ran
    /// them ended without finishing them (crash, SIGKILL). Their child executions still
    /// `INPROCESS` are aborted with them. An execution whose lease file is gone (removed while it
    /// ran) is aborted when its recorded ``ExecutionOwner`` no longer runs; executions without a
    /// lease file and without an owner are left alone. A free lease in which its command left a
    /// note (it could not record the end, see ``ExecutionLease/abandon(note:)``) marks the execution
    /// `ERROR` with the note instead. With `notedOnly`, only those are marked. Returns the ids it changed.
    @discardableResult
    public func abortOrphaned(at date: Date = Date(), notedOnly: Bool = false) throws -> [String] {
        if postgres != nil { return notedOnly ? [] : try abortOrphanedByLocks(at: date) }
        guard let leaseDirectory else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: leaseDirectory)) ?? []
        var aborted: [String] = []
        for (id, owner) in try notedOnly ? [] : ownedInProcess()
        where !names.contains(ExecutionLease.fileName(id)) && owner.isGone {
            // Looked again: the command may have ended it (and released its lease) since the listing.
            guard !FileManager.default.fileExists(atPath: leaseDirectory + "/" + ExecutionLease.fileName(id)) else {
                continue
            }
            aborted += try abortInProcess(
                ids: try inProcessFamily(of: id),
                message: "aborted: the command running it (pid \(owner.pid)) ended before the execution finished, "
                    + "and its lock file \(leaseDirectory)/\(ExecutionLease.fileName(id)) had been removed",
                at: date)
        }
        for name in names.sorted() where name.hasSuffix(".lock") && !name.hasPrefix(".") {
            let id = String(name.dropLast(".lock".count))
            let path = leaseDirectory + "/" + name
            let lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
                .split(separator: "\n").map { $0.trimming(.whitespaces) }
            let pid = lines.first ?? ""
            if notedOnly, lines.count < 2 || lines[1].isEmpty { continue }
            _ = try ExecutionLease.checkHeld(path: path) {
                let family = try inProcessFamily(of: id)
                guard !family.isEmpty else { return }
                if lines.count > 1, !lines[1].isEmpty {
                    // The command ended the execution but could not record that (see ExecutionLease.abandon).
                    aborted += try abortInProcess(ids: family, message: lines[1], status: .error, at: date)
                    return
                }
                let owner = pid.isEmpty ? "" : " (pid \(pid))"
                aborted += try abortInProcess(
                    ids: family,
                    message: "aborted: the command running it\(owner) ended (crash or kill) before the execution finished",
                    at: date)
            }
        }
        return aborted
    }

    /// The executions still `INPROCESS` whose command still runs (their lease is held, or their
    /// lease file is gone and their recorded owner still runs), with their descendants. A host
    /// starting up leaves these alone when it marks what a previous host left unfinished.
    public func liveExecutionIDs() throws -> Set<String> {
        if postgres != nil {
            var family: Set<String> = []
            for id in try topLevelInProcess() where try isLeaseHeld(id) { family.formUnion(try inProcessFamily(of: id)) }
            return family
        }
        guard let leaseDirectory else { return [] }
        let names = Set((try? FileManager.default.contentsOfDirectory(atPath: leaseDirectory)) ?? [])
        var live: Set<String> = []
        for name in names where name.hasSuffix(".lock") && !name.hasPrefix(".")
            && ExecutionLease.isHeld(path: leaseDirectory + "/" + name) {
            live.insert(String(name.dropLast(".lock".count)))
        }
        for (id, owner) in try ownedInProcess() where !names.contains(ExecutionLease.fileName(id)) && !owner.isGone {
            live.insert(id)
        }
        var family: Set<String> = []
        for id in live { family.formUnion(try inProcessFamily(of: id)) }
        return family
    }

    /// PostgreSQL: marks `ABORTED` the top-level executions still `INPROCESS` whose lease lock no
    /// session holds, with their unfinished descendants.
    private func abortOrphanedByLocks(at date: Date) throws -> [String] {
        var aborted: [String] = []
        for id in try topLevelInProcess() {
            let owner = try withConnection { connection -> String? in
                var found: String?
                try connection.query("SELECT host, owner FROM executions WHERE id = ?1", [.text(id)],
                                     operation: "read the owner of execution \(id)") { row in
                    found = row.text(0) ?? row.text(1).flatMap(ExecutionOwner.init(text:)).map { "\($0.host) pid \($0.pid)" }
                }
                return found
            }
            let name = PostgresLockSession.executionLock(id)
            let free = try withConnection { connection in
                try PostgresLockSession.tryLock(name, on: connection)
            }
            guard free else { continue }
            defer { try? withConnection { connection in try PostgresLockSession.unlock(name, on: connection) } }
            let by = owner.map { " (\($0))" } ?? ""
            aborted += try abortInProcess(
                ids: try inProcessFamily(of: id),
                message: "aborted: the command or host running it\(by) ended (crash, kill or lost connection) "
                    + "before the execution finished",
                at: date)
        }
        return aborted
    }

    /// PostgreSQL: whether a session holds the lease lock of execution `id`.
    func isLeaseHeld(_ id: String) throws -> Bool {
        try withConnection { connection in
            try PostgresLockSession.isHeld(PostgresLockSession.executionLock(id), on: connection)
        }
    }

    /// The ids of the top-level executions still `INPROCESS`, oldest first.
    private func topLevelInProcess() throws -> [String] {
        try withConnection { connection in
            var found: [String] = []
            try connection.query(
                "SELECT id FROM executions WHERE status = 'INPROCESS' AND parent_execution_id IS NULL ORDER BY start_time",
                operation: "find unfinished executions") { row in
                if let id = row.text(0) { found.append(id) }
            }
            return found
        }
    }

    /// The top-level executions still `INPROCESS` that name the command running them.
    private func ownedInProcess() throws -> [(id: String, owner: ExecutionOwner)] {
        try withConnection { connection in
            var found: [(id: String, owner: ExecutionOwner)] = []
            try connection.query(
                "SELECT id, owner FROM executions WHERE status = 'INPROCESS' AND owner IS NOT NULL "
                    + "AND parent_execution_id IS NULL ORDER BY start_time",
                operation: "find the owners of unfinished executions") { row in
                if let id = row.text(0), let owner = row.text(1).flatMap(ExecutionOwner.init(text:)) {
                    found.append((id, owner))
                }
            }
            return found
        }
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
