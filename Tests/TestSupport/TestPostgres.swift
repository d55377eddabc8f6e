import Foundation

/// The PostgreSQL server the tests share: `scripts/postgres.sh start DIR` starts one on a free
/// loopback port and prints `export CONVEYOR_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/postgres`
/// (`scripts/test.sh` does this for the whole suite). Each test creates databases of its own on it.
public enum TestPostgres {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static let environmentVariable = "CONVEYOR_TEST_POSTGRES"

    /// `CONVEYOR_TEST_POSTGRES`: the server's URL, or nil when it is not set.
    public static var serverURL: String? {
        serverURL(in: ProcessInfo.processInfo.environment)
    }

    /// The server's URL in `environment`.
    public static func serverURL(in environment: [String: String]) -> String? {
        guard let value = environment[environmentVariable], !value.isEmpty else {
            return nil
        }
        return value
    }

    /// Creates a fresh database named `PREFIX_` and 16 random hex digits, and returns its URL
    /// (`postgres://postgres@127.0.0.1:PORT/NAME`). `prefix` is a lowercase letter followed by
    /// lowercase letters, digits or `_`, at most 30 characters.
    public static func createDatabase(
        prefix: String = "t", environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> String {
        guard let server = serverURL(in: environment) else {
            throw Failure(description: """
                \(environmentVariable) is not set: this test needs a PostgreSQL server; \
                start one with scripts/postgres.sh start DIR and run the tests with the export line it prints \
                (scripts/test.sh does both)
                """)
        }
        guard prefix.utf8.count <= 30, prefix.utf8.first.map(isLowercaseLetter) == true,
            prefix.utf8.allSatisfy({ isLowercaseLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") })
        else {
            throw Failure(description: "database prefix \"\(prefix)\": use a lowercase letter, then lowercase letters, digits or _ (at most 30)")
        }
        let random = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let name = "\(prefix)_\(random)"
        let url = try databaseURL(server, name: name)
        try psql(server, "CREATE DATABASE \(name)")
        return url
    }

    /// Drops the database `url` names, closing its connections first; best effort (a failure is ignored).
    public static func dropDatabase(_ url: String) {
        guard let components = URLComponents(string: url) else {
            return
        }
        let name = String(components.path.drop(while: { $0 == "/" }))
        guard !name.isEmpty, name != "postgres",
            name.utf8.allSatisfy({ isLowercaseLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }),
            let server = try? databaseURL(url, name: "postgres")
        else {
            return
        }
        _ = try? psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Drops the databases `urls` name (all on one server), closing their connections first, with
    /// one psql run; best effort (a failure is ignored).
    public static func dropDatabases(_ urls: [String]) {
        let names = urls.compactMap { url -> String? in
            guard let components = URLComponents(string: url) else { return nil }
            let name = String(components.path.drop(while: { $0 == "/" }))
            guard !name.isEmpty, name != "postgres",
                name.utf8.allSatisfy({ isLowercaseLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") })
            else { return nil }
            return name
        }
        guard let first = urls.first, !names.isEmpty, let server = try? databaseURL(first, name: "postgres") else {
            return
        }
        // Each -c runs on its own (DROP DATABASE cannot run inside a transaction block).
        let process = Process()
        process.executableURL = URL(fileURLWithPath: psqlPath)
        process.arguments = ["-X", "-q", "--dbname=\(server)"]
            + names.flatMap { ["-c", "DROP DATABASE IF EXISTS \($0) WITH (FORCE)"] }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return }
        process.waitUntilExit()
    }

    /// Runs `sql` (one or more statements) on the database `url` with `psql -X -At -v ON_ERROR_STOP=1`
    /// and returns its unaligned, tuples-only output without the final newline; throws with psql's
    /// error output when it fails.
    @discardableResult
    public static func psql(_ url: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: psqlPath)
        process.arguments = ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "--dbname=\(url)", "-c", sql]
        var environment = ProcessInfo.processInfo.environment
        environment["PGCONNECT_TIMEOUT"] = "10"
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(description: "could not run \(psqlPath): \(error)")
        }
        // Both pipes are read at once, so that neither can fill up and stall psql.
        let errorText = Recorder<Data>()
        let errorHandle = errors.fileHandleForReading
        let reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) {
            errorText.append(errorHandle.readDataToEndOfFile())
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        reading.wait()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errorText.all.first ?? Data(), as: UTF8.self)
            throw Failure(description: """
                psql on \(redacted(url)) failed (exit status \(process.terminationStatus)) running \(sql): \
                \(message.trimmingCharacters(in: .whitespacesAndNewlines))
                """)
        }
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// `psql` on the PATH, else Debian's PostgreSQL 15 client.
    public static var psqlPath: String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/psql"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return "/usr/lib/postgresql/15/bin/psql"
    }

    /// `url` with its path replaced by `/name`.
    private static func databaseURL(_ url: String, name: String) throws -> String {
        guard var components = URLComponents(string: url), components.scheme == "postgres" || components.scheme == "postgresql",
            components.host != nil
        else {
            throw Failure(description: "\(environmentVariable) is not a postgres://USER@HOST:PORT/DB URL: \(redacted(url))")
        }
        components.path = "/\(name)"
        guard let result = components.string else {
            throw Failure(description: "cannot form the URL of database \(name) from \(redacted(url))")
        }
        return result
    }

    /// `url` without a password, for error messages.
    private static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else {
            return "(an unreadable URL)"
        }
        if components.password != nil {
            components.password = "***"
        }
        return components.string ?? "(an unreadable URL)"
    }

    private static func isLowercaseLetter(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
