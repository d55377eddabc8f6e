import ArgumentParser
import ExecutionStore
import Foundation
import ProcessEngine
import ProcessModel

/// `conveyor run PROCESS`: runs one process now and records the execution.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        // The root parser looks for a completion-script request only in a command without a
        // super-command: parsed on its own (``parsesDirectly(_:)``), `run` is spared that look.
        _superCommandName: "conveyor",
        abstract: "Run a process once and record its execution in the workspace's execution store.",
        discussion: """
            PROCESS is a process id or the path of its file. Exit code 0 when the execution completes \
            (COMPLETE or COMPLETE_WARN), 1 when it ends in ERROR, 2 for invalid definitions or usage. \
            Properties declared persist="true" start from the value the last execution that did not end \
            in ERROR left (see `conveyor properties`); --property overrides them. On a terminal, a \
            progress line is shown on stderr while the process runs. A process with \
            allowSimultaneous="false" is locked for the whole command (<workspace>/.conveyor/locks/PROCESS.lock, \
            the lock `conveyor serve` takes too): a `conveyor run` of it while another command runs it exits 1 \
            at once, naming the running execution, running and recording nothing.
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
    @OptionGroup var extensions: ExtensionsOption

    func run() async throws {
        var overrides: [String: String] = [:]
        for property in properties {
            guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                throw ValidationError("--property '\(property)' must be name=value")
            }
            overrides[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        let workspace = try options.loadWorkspace(extensions: extensions.extensions, cachingValidation: true)
        let processID = try resolveProcess(in: workspace)
        let executionID = ExecutionInfo.newID()
        let store = try options.openStore()
        let lock = try Self.lockIfExclusive(processID, executionID: executionID, in: workspace, store: store,
                                            root: options.root)
        defer { lock?.release() }
        let documents = try readInputs()
        let persisted = workspace.processes[processID]?.properties.filter(\.persist).map(\.name) ?? []
        var properties = try storedValues(of: persisted, processID: processID, in: store)
        for (name, value) in overrides { properties[name] = value }
        let redactor = SecretRedactor(workspace.secretValues)
        let recorder = StoreRecorder(store: store, redactor: redactor, numberFields: workspace.numberTrackedFields)
        var runner = ProcessRunner(workspace: workspace, connectors: options.connectors(),
                                   recorder: recorder, environment: options.environment)
        runner.checkpoints = store
        let progress = ProgressDisplay(drawsLine: ProgressDisplay.wanted(json: json), redactor: redactor)
        runner.progress = progress
        let execution = await runner.run(processID: processID, trigger: .manual, inputs: documents,
                                         properties: properties, executionID: executionID)
        progress.finish()
        Self.report(execution, store: store, recorder: recorder, json: json)
        if execution.status != .error, !persisted.isEmpty {
            try persist(persisted, of: execution, in: store)
        }
        if execution.status == .error { throw ExitCode(1) }
    }

    /// Takes the process's lock when it does not allow simultaneous executions; exits 1 when
    /// another command (another `conveyor run`, or `conveyor serve`) holds it.
    /// With a PostgreSQL store the lock is the cluster's (held by every command and host sharing it).
    /// Prints the execution's summary (or JSON) with its failed and dead-lettered documents.
    static func report(_ execution: Execution, store: ExecutionStore, recorder: StoreRecorder, json: Bool) {
        let failures = execution.documentsError == 0 ? []
            : (try? store.failedDocuments(executionID: execution.info.id, limit: 1_000)) ?? []
        let deadLettered = execution.documentsDeadLettered == 0 ? []
            : (try? store.failedDocuments(executionID: execution.info.id, limit: 1_000, status: .deadLettered)) ?? []
        if json {
            Terminal.line(ExecutionReport.json(recorder.redacted(execution), documents: failures + deadLettered))
        } else {
            ExecutionReport.printSummary(recorder.redacted(execution), failures: failures + deadLettered)
        }
    }

    static func lockIfExclusive(_ processID: String, executionID: String, in workspace: Workspace,
                                store: ExecutionStore, root: String) throws -> (any ProcessLockHold)? {
        guard let process = workspace.processes[processID], !process.allowSimultaneous else { return nil }
        if store.sharesProcessLocks {
            guard let hold = try store.tryLockProcess(processID, executionID: executionID) else {
                Terminal.error("error: " + store.refusal(processID: processID))
                throw ExitCode(1)
            }
            return hold
        }
        do {
            return try ProcessRunLock.acquire(processID: processID, workspaceRoot: root,
                                              executionID: executionID)
        } catch {
            Terminal.error("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// The stored values of the process's persisted properties.
    private func storedValues(of names: [String], processID: String, in store: ExecutionStore) throws -> [String: String] {
        guard !names.isEmpty else { return [:] }
        do {
            var values: [String: String] = [:]
            for property in try store.persistedProperties(processID: processID) where names.contains(property.name) {
                values[property.name] = property.value
            }
            return values
        } catch {
            Terminal.error("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// Stores the final values of the persisted properties for the next execution.
    private func persist(_ names: [String], of execution: Execution, in store: ExecutionStore) throws {
        var values: [String: String] = [:]
        for name in names {
            if let value = execution.processProperties[name] { values[name] = value }
        }
        do {
            try store.persist(properties: values, processID: execution.info.processID, executionID: execution.info.id)
        } catch {
            Terminal.error("error: the execution completed but its persisted properties could not be stored: \(error)")
            throw ExitCode(1)
        }
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
        throw ValidationError.unknownProcess(process, root: workspace.root, known: Array(workspace.processes.keys))
    }

    private func readInputs() throws -> [Document] {
        try inputs.map { path in
            // Read through a handle, so that named pipes (`--input <(command)`) work too.
            guard let handle = FileHandle(forReadingAtPath: path),
                  let data = try? handle.readToEnd() ?? Data() else {
                throw ValidationError("cannot read input file \(path)")
            }
            try? handle.close()
            let name = (path as NSString).lastPathComponent
            return Document(data: [UInt8](data), properties: ["input.fileName": name])
        }
    }
}

extension RunCommand {
    /// Whether `conveyor` `arguments` are a `run` to parse with ``RunCommand`` as the root first:
    /// the command a scheduler starts over and over, spared the root parser's look for a
    /// completion-script request and the reflection of the commands it does not run. Arguments
    /// that could be such a request go through the root command only.
    static func parsesDirectly(_ arguments: [String]) -> Bool {
        arguments.first == configuration.commandName
            && !arguments.contains { $0.hasPrefix("--generate-completion-script") }
    }
}

extension RunCommand {
    /// `conveyor` `arguments` that are a `run` written plainly, read without the argument parser;
    /// nil for anything else, which the argument parser then reads (and answers: help, errors).
    ///
    /// The argument parser learns a command's arguments by reflecting on it, and each option type
    /// it meets is a first conformance lookup for the Swift runtime, a scan of every conformance in
    /// the executable: about 21 M instructions, a fifth of a short run's start, spent again by every
    /// run a scheduler starts. Plainly means: `run`, one process (not starting with `-`), and
    /// `--workspace`, `--audit-key`, `--store`, `--extensions` at most once each and `--property`
    /// any number of times, each followed by its value (`--name value` or `--name=value`), `--input`
    /// followed by one or more values, `--json` at most once; every value non-empty and not starting
    /// with `-`. The result is what the argument parser makes of the same arguments, field for field
    /// (`RunArgumentsTests` compares the two over thousands of argument lists).
    static func plainly(_ arguments: [String]) -> RunCommand? {
        guard arguments.first == configuration.commandName else { return nil }
        var process: String?
        var workspace: String?, auditKey: String?, store: String?, extensions: String?
        var properties: [String] = []
        var inputs: [String] = []
        var json = false
        var index = 1
        func isValue(_ text: Substring) -> Bool { !text.isEmpty && !text.hasPrefix("-") }
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-") else {
                // One process; `help` is left to the parser, which may read it as a request.
                guard process == nil, !argument.isEmpty, argument != "help" else { return nil }
                process = argument
                continue
            }
            guard argument.hasPrefix("--") else { return nil }
            var name = argument.dropFirst(2)
            var inline: Substring?
            if let equals = name.firstIndex(of: "=") {
                inline = name[name.index(after: equals)...]
                name = name[..<equals]
            }
            switch name {
            case "json":
                guard inline == nil, !json else { return nil }
                json = true
            case "input":
                guard inline == nil else { return nil }
                let first = inputs.count
                while index < arguments.count, isValue(arguments[index][...]) {
                    inputs.append(arguments[index])
                    index += 1
                }
                guard inputs.count > first else { return nil }
            case "workspace", "audit-key", "store", "extensions", "property":
                let value: Substring
                if let inline {
                    value = inline
                } else {
                    guard index < arguments.count else { return nil }
                    value = arguments[index][...]
                    index += 1
                }
                guard isValue(value) else { return nil }
                // Each option but `--property` at most once. (Plain variables, not a dictionary by
                // name: its first use would be one more conformance lookup at start.)
                switch name {
                case "property": properties.append(String(value))
                case "workspace" where workspace == nil: workspace = String(value)
                case "audit-key" where auditKey == nil: auditKey = String(value)
                case "store" where store == nil: store = String(value)
                case "extensions" where extensions == nil: extensions = String(value)
                default: return nil
                }
            default:
                return nil
            }
        }
        guard let process else { return nil }
        // Every property set, defaults included: a property of a command made with `init()` and
        // not set stops the program when read.
        var options = WorkspaceOptions()
        options.workspace = workspace ?? "."
        options.auditKey = auditKey
        options.store = store
        var extensionsOption = ExtensionsOption()
        extensionsOption.extensions = extensions
        var command = RunCommand()
        command.process = process
        command.inputs = inputs
        command.properties = properties
        command.json = json
        command.options = options
        command.extensions = extensionsOption
        return command
    }
}
