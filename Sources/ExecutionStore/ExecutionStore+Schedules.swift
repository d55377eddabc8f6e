import Foundation

/// When each schedule last fired, so a host that was down runs a missed schedule once on restart.
extension ExecutionStore {
    private static let scheduleTable = """
        CREATE TABLE IF NOT EXISTS schedule_fires (
            schedule_key TEXT PRIMARY KEY NOT NULL,
            process_id   TEXT NOT NULL,
            last_fire    TEXT NOT NULL
        ) WITHOUT ROWID
        """

    /// The last time the schedule identified by `key` fired, or nil when it never did.
    public func lastFire(scheduleKey key: String) throws -> Date? {
        try withConnection { connection in
            let context = "read last fire time of schedule \(key)"
            if connection.dialect == .sqlite { try connection.executeScript(Self.scheduleTable, operation: context) }
            var found: Date?
            try connection.query("SELECT last_fire FROM schedule_fires WHERE schedule_key = ?1", [.text(key)],
                                 operation: context) { row in
                found = row.text(0).flatMap(StoreTimestamp.date(from:))
            }
            return found
        }
    }

    /// Stores `date` as the last time the schedule identified by `key` fired.
    public func setLastFire(_ date: Date, scheduleKey key: String, processID: String) throws {
        try withConnection { connection in
            let context = "store last fire time of schedule \(key)"
            if connection.dialect == .sqlite { try connection.executeScript(Self.scheduleTable, operation: context) }
            try connection.execute(
                "INSERT INTO schedule_fires (schedule_key, process_id, last_fire) VALUES (?1, ?2, ?3) "
                    + "ON CONFLICT (schedule_key) DO UPDATE SET last_fire = excluded.last_fire, process_id = excluded.process_id",
                [.text(key), .text(processID), .text(StoreTimestamp.text(from: date))], operation: context)
        }
    }
}
