import Testing
import ExecutionStore
import Foundation
import HostService
import Logging
import ProcessEngine
import ProcessModel
import Synchronization
import TestSupport

/// A connector whose operations wait `action` milliseconds (or, for `gate:NAME`, until that
/// ``TestGate`` opens), then pass documents on.
struct SlowConnector: Connector {
    let type = "slow"

    struct Operation: ConnectorOperation {
        let milliseconds: Int
        /// Waits for this gate to open (``TestGate``) instead of for `milliseconds`.
        let gate: String?
        func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
            if let gate {
                // At most a minute, so that a test that never opens it does not hang the suite.
                for _ in 0..<6_000 where !TestGate.isOpen(gate) { try await Task.sleep(for: .milliseconds(10)) }
            } else {
                try await Task.sleep(for: .milliseconds(milliseconds))
            }
            return OperationOutcome(outputs: documents)
        }
    }

    func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic] { [] }

    func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                       environment: ConnectorEnvironment) async throws -> any ConnectorOperation {
        let gate = operation.action.hasPrefix("gate:") ? String(operation.action.dropFirst(5)) : nil
        return Operation(milliseconds: Int(operation.action) ?? 0, gate: gate)
    }
}

/// Named gates a test opens when it is done looking at an execution that waits on one (the
/// `slow` operation with action `gate:NAME`): the execution lasts as long as the test needs,
/// however loaded the machine.
enum TestGate {
    private static let opened = Mutex<Set<String>>([])

    static func open(_ name: String) { opened.withLock { _ = $0.insert(name) } }

    static func isOpen(_ name: String) -> Bool { opened.withLock { $0.contains(name) } }
}

/// Workspaces, stores and a running server for the tests.
enum TestHost {
    static let here = SourceLocation(file: "test.xml", line: 1)

    static func process(_ id: String, listener: String? = nil, method: String = "POST",
                        shapes: [ShapeDefinition], schedules: [ScheduleDefinition] = [],
                        allowSimultaneous: Bool = false) -> ProcessDefinition {
        var process = ProcessDefinition(id: id, name: id, allowSimultaneous: allowSimultaneous, schedules: schedules,
                                        shapes: shapes, location: here)
        process.listener = listener.map { ListenerDefinition(path: $0, method: method, location: here) }
        return process
    }

    static func shape(_ id: String, _ kind: ShapeKind) -> ShapeDefinition {
        ShapeDefinition(id: id, kind: kind, location: here)
    }

    /// `echo` (listener POST /echo, returns its input), `slow` (listener POST /slow, waits 1.5 s,
    /// or until the ``TestGate`` `slowGate` opens),
    /// `fail` (an exception), `two` (returns its input twice), `plain` (returns nothing).
    static func workspace(schedules: [ScheduleDefinition] = [], slowMilliseconds: Int = 1_500, slowGate: String? = nil) -> Workspace {
        var workspace = Workspace(root: NSTemporaryDirectory())
        let processes = [
            process("echo", listener: "/echo", shapes: [
                shape("start", .start(.input, next: "done")), shape("done", .returnDocuments),
            ]),
            process("slow", listener: "/slow", shapes: [
                shape("start", .start(.noData, next: "wait")),
                shape("wait", .connector(connection: "slow", operation: "wait", next: "done")),
                shape("done", .stop(continue: true)),
            ], schedules: schedules),
            process("fail", listener: "/fail", shapes: [
                shape("start", .start(.noData, next: "boom")), shape("boom", .exception(message: "boom")),
            ], schedules: schedules),
            process("two", listener: "/two", method: "PUT", shapes: [
                shape("start", .start(.input, next: "branch")),
                shape("branch", .branch(paths: ["a", "b"])),
                shape("a", .returnDocuments), shape("b", .returnDocuments),
            ]),
            process("plain", shapes: [shape("start", .start(.noData, next: "end")), shape("end", .stop(continue: true))]),
        ]
        for process in processes { workspace.processes[process.id] = process }
        workspace.connections["slow"] = ConnectionDefinition(id: "slow", type: "slow",
                                                             settings: SettingsElement(name: "connection", location: here), location: here)
        workspace.operations["wait"] = OperationDefinition(id: "wait", type: "slow", action: slowGate.map { "gate:" + $0 } ?? "\(slowMilliseconds)",
                                                           settings: SettingsElement(name: "operation", location: here), location: here)
        return workspace
    }

    static func store() throws -> ExecutionStore {
        // A new SQLite file, or a new PostgreSQL database when the tests run on PostgreSQL.
        try ExecutionStore(path: try TestStore.fresh(sqlitePath: NSTemporaryDirectory() + "host-tests-\(UUID().uuidString).sqlite",
                                                     prefix: "host"))
    }

    static func host(_ workspace: Workspace, store: ExecutionStore) -> ExecutionHost {
        let runner = ProcessRunner(workspace: workspace, connectors: ConnectorRegistry([SlowConnector()]),
                                   recorder: TestRecorder(store: store), environment: [:])
        return ExecutionHost(runner: runner, logger: Logger(label: "test"))
    }

    /// Runs a server on a free port for the duration of `body`.
    static func withServer<T>(_ configuration: HostConfiguration, workspace: Workspace? = nil,
                              _ body: (_ base: String, _ server: HostServer) async throws -> T) async throws -> T {
        let store = try store()
        var configuration = configuration
        configuration.port = 0
        let server = HostServer(configuration: configuration, host: host(workspace ?? self.workspace(), store: store),
                                store: store, logger: Logger(label: "test"))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.run { port in continuation.yield(port) } }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        return try await body("http://127.0.0.1:\(port)", server)
    }

    /// Sends a request with curl; returns the status, headers (lower-case names) and body text.
    static func request(_ url: String, method: String = "GET", body: String? = nil, headers: [String: String] = [:],
                        maxSeconds: Int = 30) async throws -> (status: Int, headers: [String: String], body: String) {
        let scratch = NSTemporaryDirectory() + "host-request-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var arguments = ["-s", "-S", "-X", method, "-D", scratch + "/headers", "-o", scratch + "/body",
                         "-w", "%{http_code}", "--max-time", "\(maxSeconds)"]
        if let body {
            _ = FileManager.default.createFile(atPath: scratch + "/request", contents: Data(body.utf8))
            arguments += ["--data-binary", "@" + scratch + "/request", "-H", "Expect:"]
        }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments + [url]
        _ = FileManager.default.createFile(atPath: scratch + "/code", contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/code"))
        process.standardError = FileHandle.standardError
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        let code = FileManager.default.contents(atPath: scratch + "/code") ?? Data()
        var fields: [String: String] = [:]
        let headerText = (try? String(contentsOfFile: scratch + "/headers", encoding: .utf8)) ?? ""
        for line in headerText.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let text = (try? String(contentsOfFile: scratch + "/body", encoding: .utf8)) ?? ""
        return (Int(String(decoding: code, as: UTF8.self)) ?? 0, fields, text)
    }
}

/// Records executions in a store, as the command-line host does.
struct TestRecorder: ExecutionRecorder {
    let store: ExecutionStore

    func started(_ execution: Execution) async throws { try store.insert(execution.record) }

    func recorded(_ documents: [DocumentTrace], in execution: ExecutionInfo) async throws {
        try store.record(documents: documents.map {
            DocumentRecord(executionID: execution.id, shapeID: $0.shapeID, direction: $0.direction.rawValue,
                           index: $0.index, status: $0.status,
                           error: $0.error, trackedValues: $0.trackedValues.map { TrackedValue(name: $0.name, value: $0.value) })
        })
    }

    func finished(_ execution: Execution) async throws { try store.update(execution.record) }
}
