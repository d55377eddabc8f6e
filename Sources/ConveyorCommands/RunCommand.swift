import ArgumentParser
import ExecutionStore
import Foundation
import ProcessEngine
import ProcessModel

/// `conveyor run PROCESS`: runs one process now and records the execution.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a process once and record its execution in the workspace's execution store.",
        discussion: """
            PROCESS is a process id or the path of its file. Exit code 0 when the execution completes \
            (COMPLETE or COMPLETE_WARN), 1 when it ends in ERROR, 2 for invalid definitions or usage.
            """
    )

    @Argument(help: "The process id, or the path of its XML file.")
    var process: String

    @Option(name: .customLong("input"), parsing: .upToNextOption,
            help: "Files given to an <input/> start shape, one document each.")
    var inputs: [String] = []

    @Option(name: .customLong("property"), parsing: .singleValue,
            help: "Override a process property: --property name=value (repeatable).")
    var properties: [String] = []

    @Flag(name: .long, help: "Print the execution as JSON instead of a summary.")
    var json = false

    @OptionGroup var options: WorkspaceOptions

    func run() async throws {
        var overrides: [String: String] = [:]
        for property in properties {
            guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                throw ValidationError("--property '\(property)' must be name=value")
            }
            overrides[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        let workspace = try options.loadWorkspace()
        let processID = try resolveProcess(in: workspace)
        let documents = try readInputs()
        let store = try options.openStore()
        let runner = ProcessRunner(workspace: workspace, connectors: options.connectors(),
                                   recorder: StoreRecorder(store: store), environment: options.environment)
        let execution = await runner.run(processID: processID, trigger: .manual, inputs: documents,
                                         properties: overrides)
        let failures = (try? store.documents(executionID: execution.info.id).filter { $0.status == .error }) ?? []
        if json {
            Terminal.line(ExecutionReport.json(StoreRecorder.record(execution), documents: failures))
        } else {
            ExecutionReport.printSummary(StoreRecorder.record(execution), failures: failures)
        }
        if execution.status == .error { throw ExitCode(1) }
    }

    /// A process id, or the id of the process defined in the given file.
    private func resolveProcess(in workspace: Workspace) throws -> String {
        if workspace.processes[process] != nil { return process }
        let path = process.hasPrefix("/") ? process : FileManager.default.currentDirectoryPath + "/" + process
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        for (id, file) in workspace.files where workspace.processes[id] != nil {
            let candidate = URL(fileURLWithPath: workspace.root + "/" + file).standardizedFileURL.path
            if candidate == absolute { return id }
        }
        let known = workspace.processes.keys.sorted().joined(separator: ", ")
        throw ValidationError("no process '\(process)' in workspace \(workspace.root) (processes: \(known.isEmpty ? "none" : known))")
    }

    private func readInputs() throws -> [Document] {
        try inputs.map { path in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read input file \(path)")
            }
            let name = (path as NSString).lastPathComponent
            return Document(data: [UInt8](data), properties: ["input.fileName": name])
        }
    }
}
