import Foundation

/// A host of a cluster: a `conveyor serve` on a PostgreSQL store.
public struct ClusterHost: Sendable, Hashable, Codable {
    public var id: String
    public var address: String
    public var pid: Int
    public var version: String
    public var workers: Int
    public var startedAt: Date
    public var heartbeatAt: Date
    /// Executions running on the host at its last heartbeat.
    public var running: Int
    /// `running`, `stopped` (shut down cleanly) or `dead` (stopped heartbeating; its work was taken over).
    public var state: String
    public var stoppedAt: Date?

    public init(id: String, address: String, pid: Int, version: String, workers: Int, startedAt: Date,
                heartbeatAt: Date, running: Int = 0, state: String = "running", stoppedAt: Date? = nil) {
        self.id = id
        self.address = address
        self.pid = pid
        self.version = version
        self.workers = workers
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.running = running
        self.state = state
        self.stoppedAt = stoppedAt
    }
}

/// Work waiting in the cluster's queue (or taken by a host): one execution to run.
public struct QueuedWork: Sendable, Hashable {
    public var id: Int64
    public var executionID: String
    public var processID: String
    public var trigger: String
    /// Dynamic process properties for the execution (JSON object text).
    public var properties: [String: String]
    /// How many more times the work is run again when its execution ends in ERROR or is lost with its host.
    public var retriesLeft: Int
    /// 0 for the first run, then 1, 2, … for retries.
    public var attempt: Int

    public init(id: Int64 = 0, executionID: String, processID: String, trigger: String,
                properties: [String: String] = [:], retriesLeft: Int = 0, attempt: Int = 0) {
        self.id = id
        self.executionID = executionID
        self.processID = processID
        self.trigger = trigger
        self.properties = properties
        self.retriesLeft = retriesLeft
        self.attempt = attempt
    }
}

extension QueuedWork {
    /// The properties as stored in `work_queue.properties` (a JSON object).
    var propertiesText: String {
        String(decoding: (try? JSONEncoder().encode(properties)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Properties read back from `work_queue.properties`.
    static func properties(fromText text: String?) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data((text ?? "{}").utf8))) ?? [:]
    }
}

/// The cluster's shared state on a PostgreSQL store: hosts with heartbeats, the work queue taken
/// with `FOR UPDATE SKIP LOCKED`, and schedule slots fired once across hosts.
extension ExecutionStore {
    private func requireCluster(_ operation: String) throws {
        guard postgres != nil else {
            throw StoreError(operation: operation, message: "a cluster needs a PostgreSQL store (--store postgres://…)",
                             path: path)
        }
    }

    /// Registers (or re-registers) a host as running.
    public func registerHost(_ host: ClusterHost) throws {
        try requireCluster("register host \(host.id)")
        try withConnection { connection in
            try connection.execute(
                """
                INSERT INTO hosts (id, address, pid, version, workers, started_at, heartbeat_at, running, state, stopped_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, 'running', NULL)
                ON CONFLICT (id) DO UPDATE SET address = excluded.address, pid = excluded.pid,
                    version = excluded.version, workers = excluded.workers, started_at = excluded.started_at,
                    heartbeat_at = excluded.heartbeat_at, running = 0, state = 'running', stopped_at = NULL
                """,
                [.text(host.id), .text(host.address), .int(host.pid), .text(host.version), .int(host.workers),
                 .text(StoreTimestamp.text(from: host.startedAt)), .text(StoreTimestamp.text(from: host.heartbeatAt))],
                operation: "register host \(host.id)")
        }
    }

    /// Records a heartbeat; false when the host was declared dead meanwhile (its work was taken over).
    public func heartbeat(hostID: String, running: Int, at date: Date = Date()) throws -> Bool {
        try withConnection { connection in
            try connection.execute(
                "UPDATE hosts SET heartbeat_at = ?2, running = ?3 WHERE id = ?1 AND state = 'running'",
                [.text(hostID), .text(StoreTimestamp.text(from: date)), .int(running)], operation: "heartbeat of host \(hostID)")
            return connection.changes > 0
        }
    }

    /// Marks a host stopped (a clean shutdown) and puts back the work it had taken and not run.
    public func stopHost(_ hostID: String, at date: Date = Date()) throws {
        try withConnection { connection in
            try connection.transaction(.write, operation: "stop host \(hostID)") {
                try connection.execute("UPDATE hosts SET state = 'stopped', stopped_at = ?2, running = 0 WHERE id = ?1",
                                       [.text(hostID), .text(StoreTimestamp.text(from: date))], operation: "stop host \(hostID)")
            }
        }
    }

    /// Every host the cluster has seen, newest first.
    public func clusterHosts() throws -> [ClusterHost] {
        guard postgres != nil else { return [] }
        return try withConnection { connection in
            var hosts: [ClusterHost] = []
            try connection.query(
                """
                SELECT id, address, pid, version, workers, started_at, heartbeat_at, running, state, stopped_at
                FROM hosts ORDER BY started_at DESC, id
                """, operation: "list hosts") { row in
                hosts.append(ClusterHost(
                    id: row.text(0) ?? "", address: row.text(1) ?? "", pid: row.int(2), version: row.text(3) ?? "",
                    workers: row.int(4), startedAt: StoreTimestamp.date(from: row.text(5) ?? "") ?? Date(timeIntervalSince1970: 0),
                    heartbeatAt: StoreTimestamp.date(from: row.text(6) ?? "") ?? Date(timeIntervalSince1970: 0),
                    running: row.int(7), state: row.text(8) ?? "", stoppedAt: row.text(9).flatMap(StoreTimestamp.date(from:))))
            }
            return hosts
        }
    }

    /// Adds work to the queue, to be taken by any host from `availableAt` on.
    public func enqueue(_ work: QueuedWork, availableAt: Date = Date()) throws {
        try requireCluster("queue execution \(work.executionID)")
        let properties = work.propertiesText
        try withConnection { connection in
            try Self.insertWork(work, properties: properties, availableAt: availableAt, connection)
        }
    }

    private static func insertWork(_ work: QueuedWork, properties: String, availableAt: Date,
                                   _ connection: any StoreConnection) throws {
        let now = StoreTimestamp.text(from: Date())
        try connection.execute(
            """
            INSERT INTO work_queue (execution_id, process_id, trigger, properties, retries_left, attempt,
                enqueued_at, available_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """,
            [.text(work.executionID), .text(work.processID), .text(work.trigger), .text(properties),
             .int(work.retriesLeft), .int(work.attempt), .text(now), .text(StoreTimestamp.text(from: availableAt))],
            operation: "queue execution \(work.executionID)")
    }

    /// Takes the oldest available work for `hostID`, skipping work other hosts are taking right now
    /// (`FOR UPDATE SKIP LOCKED`); nil when none is available.
    public func claimWork(hostID: String, at date: Date = Date()) throws -> QueuedWork? {
        try withConnection { connection in
            var found: QueuedWork?
            let now = StoreTimestamp.text(from: date)
            try connection.query(
                """
                UPDATE work_queue SET claimed_by = ?1, claimed_at = ?2
                WHERE id = (SELECT id FROM work_queue WHERE claimed_by IS NULL AND available_at <= ?2
                            ORDER BY available_at, id FOR UPDATE SKIP LOCKED LIMIT 1)
                RETURNING id, execution_id, process_id, trigger, properties, retries_left, attempt
                """,
                [.text(hostID), .text(now)], operation: "take work for host \(hostID)") { row in
                let properties = QueuedWork.properties(fromText: row.text(4))
                found = QueuedWork(id: row.int64(0), executionID: row.text(1) ?? "", processID: row.text(2) ?? "",
                                   trigger: row.text(3) ?? "", properties: properties, retriesLeft: row.int(5),
                                   attempt: row.int(6))
            }
            return found
        }
    }

    /// Removes work whose execution ended; with `retry`, queues its next attempt in the same transaction.
    public func finishWork(_ work: QueuedWork, retry: QueuedWork? = nil, retryAt: Date = Date()) throws {
        let properties = work.propertiesText
        try withConnection { connection in
            try connection.transaction(.write, operation: "finish queued execution \(work.executionID)") {
                try connection.execute("DELETE FROM work_queue WHERE id = ?1", [.integer(work.id)],
                                       operation: "finish queued execution \(work.executionID)")
                if let retry { try Self.insertWork(retry, properties: properties, availableAt: retryAt, connection) }
            }
        }
    }

    /// Puts taken work back in the queue (the host could not start it now), available from `availableAt`.
    public func releaseWork(_ work: QueuedWork, availableAt: Date) throws {
        try withConnection { connection in
            try connection.execute(
                "UPDATE work_queue SET claimed_by = NULL, claimed_at = NULL, available_at = ?2 WHERE id = ?1",
                [.integer(work.id), .text(StoreTimestamp.text(from: availableAt))], operation: "put back queued execution \(work.executionID)")
        }
    }

    /// Work waiting (not taken by a host).
    public func queueDepth() throws -> Int {
        guard postgres != nil else { return 0 }
        return try withConnection { connection in
            var count = 0
            try connection.query("SELECT COUNT(*) FROM work_queue WHERE claimed_by IS NULL", operation: "count queued work") {
                count = $0.int(0)
            }
            return count
        }
    }

    /// What a host found when it looked for hosts that stopped heartbeating.
    public struct Takeover: Sendable {
        /// The hosts declared dead.
        public var hosts: [String] = []
        /// Executions marked ABORTED (the dead hosts' and any other whose lease is free).
        public var aborted: [String] = []
        /// Work requeued to run again (as a retry) on another host.
        public var requeued: [String] = []
        /// Work dropped: its execution was lost and its retries were used up.
        public var dropped: [String] = []
    }

    /// Declares dead the hosts whose last heartbeat is older than `timeout`, marks ABORTED the
    /// executions they left unfinished (keeping the counts stored so far), and requeues the work
    /// they had taken: as a retry while its `retriesLeft` allows, dropped otherwise. Runs in one
    /// write transaction per dead host, so only one surviving host takes each over.
    public func takeOverDeadHosts(timeout: TimeInterval, at date: Date = Date(), retryDelay: TimeInterval = 0,
                                  newExecutionID: () -> String) throws -> Takeover {
        try requireCluster("take over dead hosts")
        var result = Takeover()
        let cutoff = StoreTimestamp.text(from: date.addingTimeInterval(-timeout))
        let dead: [String] = try withConnection { connection in
            try connection.transaction(.write, operation: "find dead hosts") {
                var ids: [String] = []
                try connection.query(
                    "UPDATE hosts SET state = 'dead', stopped_at = ?2 WHERE state = 'running' AND heartbeat_at < ?1 RETURNING id",
                    [.text(cutoff), .text(StoreTimestamp.text(from: date))], operation: "find dead hosts") { row in
                    if let id = row.text(0) { ids.append(id) }
                }
                return ids
            }
        }
        result.hosts = dead
        // Executions whose lease no session holds any more (their host or command is gone).
        result.aborted = try abortOrphaned(at: date)
        // Work taken by a host that is no longer running, whose execution is not running anywhere.
        let orphanedWork: [QueuedWork] = try withConnection { connection in
            var found: [QueuedWork] = []
            try connection.query(
                """
                SELECT q.id, q.execution_id, q.process_id, q.trigger, q.properties, q.retries_left, q.attempt
                FROM work_queue q JOIN hosts h ON h.id = q.claimed_by
                WHERE h.state <> 'running' ORDER BY q.id
                """, operation: "find work of stopped hosts") { row in
                let properties = QueuedWork.properties(fromText: row.text(4))
                found.append(QueuedWork(id: row.int64(0), executionID: row.text(1) ?? "", processID: row.text(2) ?? "",
                                        trigger: row.text(3) ?? "", properties: properties, retriesLeft: row.int(5),
                                        attempt: row.int(6)))
            }
            return found
        }
        for work in orphanedWork where try !isLeaseHeld(work.executionID) {
            let status = try execution(id: work.executionID)?.status
            if status == nil {
                // Taken but never started: it runs as it was.
                try releaseWork(work, availableAt: date)
                result.requeued.append(work.executionID)
            } else if status == .inProcess || status == .aborted || status == .error, work.retriesLeft > 0 {
                let retry = QueuedWork(executionID: newExecutionID(), processID: work.processID, trigger: "retry",
                                       properties: work.properties, retriesLeft: work.retriesLeft - 1,
                                       attempt: work.attempt + 1)
                try finishWork(work, retry: retry, retryAt: date.addingTimeInterval(retryDelay))
                result.requeued.append(retry.executionID)
            } else {
                try finishWork(work)
                if status != .complete { result.dropped.append(work.executionID) }
            }
        }
        return result
    }

    /// Fires the schedule `key` once for its due slot across the cluster: in one write transaction,
    /// reads its last fire time, asks `next` for the slot after it, and — when that slot is due at
    /// `date` — records `date` as the last fire and queues `work`. A schedule seen for the first
    /// time starts counting from `date`. Returns whether it fired.
    public func fireScheduleSlot(key: String, processID: String, at date: Date, next: @escaping @Sendable (Date) -> Date?,
                                 work: QueuedWork) throws -> Bool {
        try requireCluster("fire schedule \(key)")
        let properties = work.propertiesText
        return try withConnection { connection in
            let context = "fire schedule \(key)"
            return try connection.transaction(.write, operation: context) {
                var last: Date?
                try connection.query("SELECT last_fire FROM schedule_fires WHERE schedule_key = ?1 FOR UPDATE",
                                     [.text(key)], operation: context) { last = $0.text(0).flatMap(StoreTimestamp.date(from:)) }
                let stamp: [StoreValue] = [.text(key), .text(processID), .text(StoreTimestamp.text(from: date))]
                guard let last else {
                    try connection.execute(
                        "INSERT INTO schedule_fires (schedule_key, process_id, last_fire) VALUES (?1, ?2, ?3) "
                            + "ON CONFLICT (schedule_key) DO NOTHING", stamp, operation: context)
                    return false
                }
                guard let due = next(last), due <= date else { return false }
                try connection.execute("UPDATE schedule_fires SET last_fire = ?3, process_id = ?2 WHERE schedule_key = ?1",
                                       stamp, operation: context)
                try Self.insertWork(work, properties: properties, availableAt: date, connection)
                return true
            }
        }
    }
}
