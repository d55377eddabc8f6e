import Foundation
import Glibc
import Testing
import TestSupport

/// A `postgresql` query of 1,000,000 rows through the built binary into one file: every row
/// arrives, typed values are exact, and the process's peak resident memory stays under 100 MB
/// (the rows are read through a cursor, 1,000 per FETCH, and written before the next FETCH).
@Suite("a million-row postgresql query end to end",
       .enabled(if: WorkspaceStore.onSQLite, "each test makes its own PostgreSQL database; once is enough"))
struct PostgresQueryMemoryTests {
    static let rows = 1_000_000

    @Test func aMillionRowQueryIntoAFileStaysUnder100MB() async throws {
        let url = try TestPostgres.createDatabase(prefix: "pgconn_million")
        defer { TestPostgres.dropDatabase(url) }
        let components = try #require(URLComponents(string: url))
        let host = components.host ?? "127.0.0.1", port = components.port ?? 5432
        let database = String(components.path.dropFirst())
        // numeric past a double's precision, text needing escapes, RFC 3339 timestamps, booleans.
        try await offloaded { try TestPostgres.psql(url, """
            CREATE UNLOGGED TABLE million AS
              SELECT g::bigint AS id, g * 1000000000000 + 0.25 AS amount, 'row "' || g || '"' AS name,
                     '2024-01-01Z'::timestamptz + g * interval '1 second' AS created_at, g % 2 = 0 AS even
              FROM generate_series(1, \(Self.rows)) g;
            ALTER TABLE million ADD PRIMARY KEY (id)
            """) }
        let workspace = try Harness.workspace("pgmillion", files: [
            "connectors/db.xml": """
                <connection id="db" type="postgresql">
                  <host>\(host)</host><port>\(port)</port><database>\(database)</database><user>postgres</user>
                  <sslmode>disable</sslmode>
                </connection>
                """,
            "connectors/read-rows.xml": """
                <operation id="read-rows" type="postgresql" action="query">
                  <sql>SELECT id, amount, name, created_at, even FROM million ORDER BY id</sql>
                </operation>
                """,
            "connectors/outbox.xml": #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#,
            "connectors/write.xml": """
                <operation id="write" type="disk" action="send"><fileName>rows.jsonl</fileName><append>true</append></operation>
                """,
            "processes/export.xml": """
                <process id="export" name="Export a million rows">
                  <shapes>
                    <start id="start" next="write"><connector connection="db" operation="read-rows"/></start>
                    <connector id="write" connection="outbox" operation="write" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
        ])
        defer { try? FileManager.default.removeItem(atPath: workspace) }

        let started = ContinuousClock.now
        // Off the tests' task pool: the run takes a minute or more in a debug build.
        let (run, peakKB) = try await offloaded { try PeakMemory.conveyor(["run", "export", "--workspace", workspace]) }
        let took = ContinuousClock.now - started
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("COMPLETE"), "\(run.stdout)\(run.stderr)")
        #expect(peakKB > 0 && peakKB < 100 * 1024,
                "peak RSS \(peakKB / 1024) MB for \(Self.rows) rows in \(took) (limit 100 MB)")

        let output = try Data(contentsOf: URL(fileURLWithPath: workspace + "/out/rows.jsonl"))
        let lines = Self.lineRanges(output)
        #expect(lines.count == Self.rows)
        guard lines.count == Self.rows else { return }
        // The first, the last, the middle and every 99,991st row, whole and exact.
        let sample = Set([1, 2, Self.rows / 2, Self.rows - 1, Self.rows] + Array(stride(from: 7, to: Self.rows, by: 99_991)))
        for id in sample.sorted() {
            let line = String(decoding: output[lines[id - 1]], as: UTF8.self)
            #expect(line == Self.expectedLine(id), "line \(id)")
        }
    }

    /// The JSON line of row `id`: the numeric with every digit, the timestamp in RFC 3339 UTC.
    static func expectedLine(_ id: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let created = formatter.string(from: Date(timeIntervalSince1970: 1_704_067_200 + Double(id)))
        return #"{"id":\#(id),"amount":\#(id)000000000000.25,"name":"row \"\#(id)\"","#
            + #""created_at":"\#(created)","even":\#(id % 2 == 0)}"#
    }

    /// The byte ranges of the lines of `data` (without their newlines).
    static func lineRanges(_ data: Data) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(rows)
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            guard let base = buffer.baseAddress else { return }
            var start = 0
            while start < buffer.count,
                  let found = memchr(base + start, Int32(UInt8(ascii: "\n")), buffer.count - start) {
                let end = base.distance(to: UnsafeRawPointer(found))
                ranges.append(start..<end)
                start = end + 1
            }
            if start < buffer.count { ranges.append(start..<buffer.count) }
        }
        return ranges
    }
}

/// Runs the built `conveyor` and reads its peak resident set size (the kernel's VmHWM of the
/// process) while it runs: no external tool needed.
enum PeakMemory {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The command's output and its peak RSS in kB; `extra` is added to the command's environment.
    static func conveyor(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (Harness.Output, peakKB: Int) {
        let workspace = Harness.workspace(of: arguments, in: nil)
        let environment = try Harness.environment(forWorkspace: workspace).merging(extra) { $1 }
        let scratch = try Harness.temporaryDirectory("rss")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outPath = scratch + "/out", errPath = scratch + "/err"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([Harness.conveyor] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, Harness.conveyor, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw Failure(description: "cannot start \(Harness.conveyor): \(String(cString: strerror(spawned)))")
        }
        // The peak is the kernel's high-water mark of the process's own memory (VmHWM), read
        // while it runs: wait4's ru_maxrss would also count this test process, whose memory the
        // child shares until it execs (posix_spawn is a vfork).
        var status: Int32 = 0
        var peakKB = 0
        while true {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kB = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") {
                peakKB = max(peakKB, kB)
            }
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            guard reaped == 0 || errno == EINTR else { throw Failure(description: "waitpid: \(String(cString: strerror(errno)))") }
            usleep(20_000)
        }
        // Exited normally: the low 7 bits are 0 and the exit code is the next byte; otherwise 128 + signal.
        let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let output = Harness.Output(status: code,
                                    stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                                    stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
        return (output, peakKB)
    }
}
