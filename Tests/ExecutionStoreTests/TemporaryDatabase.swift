import Foundation
@testable import ExecutionStore

/// A fresh directory for one test's database files, removed when the test ends.
struct TemporaryDatabase: ~Copyable {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("conveyor-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// The path of a database file inside a nested, not yet existing directory.
    var path: String { directory.appendingPathComponent("data/executions.sqlite").path }

    /// Creates the database as an older release left it: the first `version` migrations, then
    /// `rows` (SQL) written into that schema.
    func createOldStore(version: Int, rows: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let raw = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
        for script in Schema.migrations.prefix(version) { try raw.executeScript(script, operation: "old schema") }
        try raw.executeScript("PRAGMA user_version = \(version);\n" + rows, operation: "old rows")
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A date with whole milliseconds, so it survives the store's millisecond precision unchanged.
func date(_ milliseconds: Int64) -> Date {
    Date(timeIntervalSince1970: Double(milliseconds) / 1000)
}
