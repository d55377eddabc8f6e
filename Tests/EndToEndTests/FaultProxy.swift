import Foundation
import Testing

/// A Python script of `scripts/` serving on a loopback port, for the lifetime of the value: run
/// with `--stats DIR/stats.json --port-file DIR/port` added to its arguments, it writes the port
/// it listens on to the port file and its counts to the stats file.
final class LoopbackScript {
    let process: Process
    let directory: String
    /// `127.0.0.1:PORT`.
    let address: String

    init(_ script: String, _ arguments: [String]) throws {
        directory = try Harness.temporaryDirectory("proxy")
        process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.python)
        process.arguments = [Harness.packageRoot + "/scripts/" + script] + arguments
            + ["--stats", directory + "/stats.json", "--port-file", directory + "/port"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var port: String?
        for _ in 0..<300 {
            if let text = try? String(contentsOfFile: directory + "/port", encoding: .utf8),
               !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                port = text.trimmingCharacters(in: .whitespacesAndNewlines)
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        address = "127.0.0.1:\(try #require(port, "\(script) did not start"))"
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The counts the script wrote last.
    func stats() -> [String: Int] {
        guard let data = FileManager.default.contents(atPath: directory + "/stats.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Int] else { return [:] }
        return object
    }
}

/// `scripts/fault_proxy.py` in front of an address, for the lifetime of the value.
final class FaultProxy {
    private let script: LoopbackScript
    /// `127.0.0.1:PORT`, the address to give the client instead of the target.
    var address: String { script.address }

    /// Starts the proxy: `mode` http, tcp or silent (every connection taken, then neither read nor
    /// answered for `stallSeconds`), `rate` in 0...1, `faults` (empty: every kind of the mode);
    /// `holdAfter` (tcp): the first connection whose answers pass that many bytes gets no more of them;
    /// `tls` (tcp): listen with TLS, this certificate and key (PEM files), ALPN h2.
    init(target: String, mode: String = "http", rate: Double, seed: Int = 1, faults: [String] = [],
         stallSeconds: Double = 3, holdAfter: Int? = nil, tls: (cert: String, key: String)? = nil) throws {
        script = try LoopbackScript("fault_proxy.py", ["--target", target, "--mode", mode,
                                    "--rate", "\(rate)", "--seed", "\(seed)", "--faults", faults.joined(separator: ","),
                                    "--stall", "\(stallSeconds)"] + (holdAfter.map { ["--hold-after", "\($0)"] } ?? [])
            + (tls.map { ["--tls-cert", $0.cert, "--tls-key", $0.key] } ?? []))
    }

    /// Counts so far: `requests`, `connections`, and one per injected fault kind.
    func stats() -> [String: Int] { script.stats() }

    /// The number of faults injected so far.
    func faultsInjected() -> Int {
        stats().filter { $0.key != "requests" && $0.key != "connections" }.values.reduce(0, +)
    }
}

/// A workspace that loads `in/*.jsonl` (one row a line) into one table through streaming-insert,
/// with the connection's retry and timeout settings given, and helpers to check the table.
/// `sink` is more XML for the write operation, `connection` more for the connection; with
/// `inboxFromEnvironment` the inbox directory is `${env:INBOX}` (a folder of the workspace).
struct LoadWorkspace {
    let root: String
    let table: String
    /// Environment for `conveyor` and `bq.py` (a private emulator's addresses).
    let environment: [String: String]

    init(api: String = "insert-all", delivery: String? = nil, batchCount: Int = 500,
         retry: String = #"<retry maxAttempts="8" initialBackoff="50ms" maxBackoff="1s"/>"#,
         timeouts: String = #"<timeouts connect="2s" request="2s"/>"#, auth: String = #"<auth grant="none"/>"#,
         environment: [String: String] = [:], sink: String = "", connection: String = "",
         allowSimultaneous: Bool = false, inboxFromEnvironment: Bool = false) throws {
        self.environment = environment
        table = Harness.uniqueDataset() + ".events"
        let parts = table.split(separator: ".")
        let files: [String: String] = [
            "processes/load.xml": """
                <process id="load" name="Load rows" allowSimultaneous="\(allowSimultaneous)">
                  <shapes>
                    <start id="start" next="write"><connector connection="inbox" operation="read"/></start>
                    <connector id="write" connection="bq" operation="write" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "connectors/bq.xml": """
                <connection id="bq" type="google-bigquery">
                  <projectId>demo</projectId>
                  \(auth)
                  \(retry)
                  \(timeouts)
                  \(connection)
                </connection>
                """,
            "connectors/write.xml": """
                <operation id="write" type="google-bigquery" action="streaming-insert">
                  <datasetId>\(parts[0])</datasetId>
                  <tableId>\(parts[1])</tableId>
                  <api>\(api)</api>
                  \(delivery.map { "<delivery>\($0)</delivery>" } ?? "")
                  <batchCount>\(batchCount)</batchCount>
                  \(sink)
                </operation>
                """,
        ]
        var inbox = Harness.jsonLinesInbox
        if inboxFromEnvironment {
            inbox["connectors/inbox.xml"] = #"<connection id="inbox" type="disk"><directory>${env:INBOX}</directory></connection>"#
        }
        root = try Harness.workspace("load", files: files.merging(inbox) { $1 })
        _ = try bq(["create-table", table, Harness.packageRoot + "/Tests/EndToEndTests/Fixtures/storage-events-table.json"])
    }

    /// Writes `count` rows with ids `first..<first + count` into `FOLDER/rows.jsonl` (default `in`).
    func writeRows(_ count: Int, first: Int = 0, folder: String = "in") throws {
        var lines = ""
        lines.reserveCapacity(count * 60)
        for id in first..<(first + count) {
            lines += #"{"id": \#(id), "payload": "row-\#(id)-abcdefghijklmnopqrstuvwxyz"}"# + "\n"
        }
        try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        try lines.write(toFile: root + "/" + folder + "/rows.jsonl", atomically: true, encoding: .utf8)
    }

    /// Runs `conveyor run load --json` with extra environment variables; the execution JSON.
    /// `killAfter`: the command is killed (exit 137) once that many seconds have passed, so a run that
    /// hangs fails its test instead of stopping the suite.
    func run(environment: [String: String] = [:], killAfter: Int? = nil) throws -> (output: Harness.Output, execution: [String: Any]) {
        let arguments = ["run", "load", "--workspace", root, "--json"]
        let merged = self.environment.merging(environment) { _, new in new }
        let output = try killAfter.map {
            try Harness.run("/usr/bin/timeout", ["-s", "KILL", "\($0)", Harness.conveyor] + arguments, environment: merged)
        } ?? Harness.conveyor(arguments, environment: merged)
        return (output, (try? Harness.json(output.stdout) as? [String: Any]) ?? [:])
    }

    /// Rows in the table, distinct ids, smallest and largest id, read with the official client.
    func idStats() throws -> (rows: Int, distinct: Int, lowest: Int, highest: Int) {
        let text = try bq(["query-rows", "SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d, "
                            + "COALESCE(MIN(id), -1) AS lo, COALESCE(MAX(id), -1) AS hi FROM demo.\(table)"])
        let row = try #require(try Harness.jsonLines(text).first)
        func int(_ key: String) -> Int { (row[key] as? Int) ?? Int("\(row[key] ?? "")") ?? -1 }
        return (int("n"), int("d"), int("lo"), int("hi"))
    }

    /// `scripts/bq.py` against this workspace's emulator; its stdout.
    func bq(_ arguments: [String]) throws -> String {
        _ = try Harness.emulatorHost()
        let output = try Harness.run(Harness.python, [Harness.packageRoot + "/scripts/bq.py"] + arguments, in: root,
                                     environment: environment)
        #expect(output.status == 0, "bq.py \(arguments): \(output.stderr)")
        return output.stdout
    }

    /// `conveyor executions list --json` (which first marks executions of dead commands ABORTED).
    func executions() throws -> [[String: Any]] {
        let output = try Harness.conveyor(["executions", "list", "--workspace", root, "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        return (try? Harness.json(output.stdout) as? [[String: Any]]) ?? []
    }
}
