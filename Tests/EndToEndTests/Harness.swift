import Foundation
import Testing
import TestSupport

/// Runs the built `conveyor` binary and the Python helpers, in temporary workspaces.
enum Harness {
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var conveyor: String { environment["CONVEYOR_BIN"] ?? packageRoot + "/.build/debug/conveyor" }

    static var python: String { environment["CONVEYOR_PYTHON"] ?? packageRoot + "/.venv-bq/bin/python" }

    /// The emulator's REST address; tests fail (not skip) without it.
    static func emulatorHost() throws -> String {
        try #require(environment["BIGQUERY_EMULATOR_HOST"],
                     "BIGQUERY_EMULATOR_HOST is not set: run the suite with scripts/test.sh")
    }

    /// The environment of a `conveyor` command of the workspace at `root`: this process's, with
    /// `CONVEYOR_STORE` naming the workspace's own database when the tests run on PostgreSQL
    /// (`CONVEYOR_TEST_STORE=postgres`, see `TestStore`), so every command of a workspace (`run`,
    /// `serve`, `executions`, …) shares one store, as they share its SQLite file otherwise.
    static func environment(forWorkspace root: String) throws -> [String: String] {
        environment.merging(try TestStore.environment(forWorkspace: root)) { _, new in new }
    }

    /// The workspace a `conveyor` command works on: its `--workspace` (relative to `directory`),
    /// else `directory`, else the current directory.
    static func workspace(of arguments: [String], in directory: String?) -> String {
        let base = directory ?? FileManager.default.currentDirectoryPath
        var given: String?
        for (index, argument) in arguments.enumerated() {
            if argument == "--workspace", index + 1 < arguments.count {
                given = arguments[index + 1]
            } else if argument.hasPrefix("--workspace=") {
                given = String(argument.dropFirst("--workspace=".count))
            }
        }
        guard let given else { return base }
        return given.hasPrefix("/") ? given : base + "/" + given
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to its end, capturing its output through files (no pipe deadlocks).
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in directory: String? = nil,
                    environment extra: [String: String] = [:]) throws -> Output {
        let scratch = try temporaryDirectory("run")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outPath = scratch + "/out", errPath = scratch + "/err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // A `conveyor` command (run directly or through a wrapper such as `timeout`) gets its workspace's store.
        var base = environment
        if executable == conveyor || arguments.contains(conveyor) {
            let commandArguments = Array(arguments.drop { $0 != conveyor }.dropFirst())
            base = try Self.environment(forWorkspace: workspace(of: executable == conveyor ? arguments : commandArguments,
                                                                in: directory))
        }
        process.environment = base.merging(extra) { _, new in new }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// Runs `conveyor` with arguments.
    @discardableResult
    static func conveyor(_ arguments: [String], in directory: String? = nil,
                         environment extra: [String: String] = [:]) throws -> Output {
        try run(conveyor, arguments, in: directory, environment: extra)
    }

    /// Runs `scripts/bq.py` (the official google-cloud-bigquery client) and returns stdout.
    static func bq(_ arguments: [String], in directory: String) throws -> String {
        _ = try emulatorHost()
        let output = try run(python, [packageRoot + "/scripts/bq.py"] + arguments, in: directory)
        #expect(output.status == 0, "bq.py \(arguments): \(output.stderr)")
        return output.stdout
    }

    /// A fresh directory under the system temporary directory.
    static func temporaryDirectory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "conveyor-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A fresh workspace holding `files` (paths relative to it; their folders are created) and the
    /// usual folders (`processes`, `connectors`, `profiles`, `in`).
    static func workspace(_ label: String, files: [String: String]) throws -> String {
        let root = try temporaryDirectory(label)
        for folder in ["processes", "connectors", "profiles", "in"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        for (path, text) in files {
            let file = root + "/" + path
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
        return root
    }

    /// A disk connection `inbox` and an operation `read` giving one document per line of `in/*.jsonl`.
    static let jsonLinesInbox: [String: String] = [
        "connectors/inbox.xml": #"<connection id="inbox" type="disk"><directory>in</directory></connection>"#,
        "connectors/read.xml": """
            <operation id="read" type="disk" action="get">
              <filePattern>*.jsonl</filePattern>
              <split by="json-lines"/>
            </operation>
            """,
    ]

    /// A workspace whose process `track` reads `in/*.jsonl` (one document per line) and appends the
    /// documents to `out/out.jsonl`, tracking each of `fields` (name, type) from the member of that name.
    static func trackingWorkspace(_ label: String, fields: [(name: String, type: String)]) throws -> String {
        let declared = fields.map { #"<field name="\#($0.name)" type="\#($0.type)"/>"# }.joined()
        let tracking = fields.map { #"<field name="\#($0.name)"><value source="profile" path="/\#($0.name)"/></field>"# }
            .joined()
        return try workspace(label, files: jsonLinesInbox.merging([
            "processes/tracked-fields.xml": "<trackedFields>\(declared)</trackedFields>",
            "connectors/outbox.xml": #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#,
            "connectors/write.xml": """
                <operation id="write" type="disk" action="send">
                  <fileName>out.jsonl</fileName><append>true</append>
                  <tracking>\(tracking)</tracking>
                </operation>
                """,
            "processes/track.xml": """
                <process id="track" name="Track">
                  <shapes>
                    <start id="start" next="write"><connector connection="inbox" operation="read"/></start>
                    <connector id="write" connection="outbox" operation="write" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
        ]) { $1 })
    }

    /// A copy of the repository's sample workspace.
    static func sampleWorkspace() throws -> String {
        let directory = try temporaryDirectory("workspace")
        for folder in ["processes", "connectors", "profiles", "samples"] {
            try FileManager.default.copyItem(atPath: packageRoot + "/" + folder, toPath: directory + "/" + folder)
        }
        return directory
    }

    /// A dataset name no other test uses.
    static func uniqueDataset() -> String { "e2e_" + UUID().uuidString.prefix(8).lowercased() }

    /// Parses JSON text printed by a command.
    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// Parses JSON lines.
    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }
}
