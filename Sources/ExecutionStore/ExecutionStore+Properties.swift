import Foundation

extension ExecutionStore {
    /// The persisted properties of a process, sorted by name.
    public func persistedProperties(processID: String) throws -> [PersistedProperty] {
        try withConnection { connection in
            let context = "read persisted properties of process \(processID)"
            var found: [PersistedProperty] = []
            try connection.query(
                """
                SELECT name, value, execution_id, updated_at FROM process_properties
                WHERE process_id = ?1 ORDER BY name
                """,
                [.text(processID)], operation: context) { row in
                let stamp = row.text(3) ?? ""
                guard let updatedAt = StoreTimestamp.date(from: stamp) else {
                    throw StoreError(operation: context, message: "column updated_at holds '\(stamp)', not a timestamp",
                                     path: connection.path)
                }
                found.append(PersistedProperty(processID: processID, name: row.text(0) ?? "",
                                               value: row.text(1) ?? "", executionID: row.text(2) ?? "",
                                               updatedAt: updatedAt))
            }
            return found
        }
    }

    /// Stores the values of a process's persisted properties in one transaction, replacing
    /// earlier values of the same names and keeping the others.
    public func persist(properties values: [String: String], processID: String, executionID: String,
                        at date: Date = Date()) throws {
        guard !values.isEmpty else { return }
        try withConnection { connection in
            let context = "persist properties of process \(processID)"
            let stamp = StoreTimestamp.text(from: date)
            try connection.transaction(.write, operation: context) {
                for (name, value) in values.sorted(by: { $0.key < $1.key }) {
                    try connection.execute(
                        """
                        INSERT INTO process_properties (process_id, name, value, execution_id, updated_at)
                        VALUES (?1, ?2, ?3, ?4, ?5)
                        ON CONFLICT (process_id, name) DO UPDATE SET
                            value = excluded.value, execution_id = excluded.execution_id,
                            updated_at = excluded.updated_at
                        """,
                        [.text(processID), .text(name), .text(value), .text(executionID), .text(stamp)],
                        operation: context)
                }
            }
        }
    }

    /// Forgets persisted values of a process: the one named `name`, or all when `name` is nil.
    ///
    /// - Returns: how many values were removed.
    @discardableResult
    public func resetPersistedProperties(processID: String, name: String? = nil) throws -> Int {
        try withConnection { connection in
            let context = "reset persisted properties of process \(processID)"
            if let name {
                try connection.execute("DELETE FROM process_properties WHERE process_id = ?1 AND name = ?2",
                                       [.text(processID), .text(name)], operation: context)
            } else {
                try connection.execute("DELETE FROM process_properties WHERE process_id = ?1",
                                       [.text(processID)], operation: context)
            }
            return connection.changes
        }
    }
}
