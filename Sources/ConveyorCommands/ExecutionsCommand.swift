import ArgumentParser
import ConveyorBase
import ExecutionStore
import Foundation

/// `conveyor executions list|show|retry`.
struct ExecutionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executions",
        abstract: "List recorded executions, show one with its documents, or retry its failed documents.",
        subcommands: [List.self, Show.self, Retry.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List executions, newest first.")

        @Option(name: .long, help: "Only executions of this process id.")
        var process: String?

        @Option(name: .long, help: "Only executions with this status (INPROCESS, COMPLETE, COMPLETE_WARN, ERROR, ABORTED).")
        var status: String?

        @Option(name: .long, parsing: .unconditional, help: "At most this many executions (1 to 10000).")
        var limit: Int = 20

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            try WorkspaceOptions.checkLimit(limit)
            var filter = ExecutionFilter(processID: process, limit: limit)
            if let status {
                guard let parsed = ExecutionStatus(rawValue: status.uppercased()) else {
                    throw ValidationError("--status '\(status)' is not one of \(ExecutionStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                filter.status = parsed
            }
            let executions = try options.openStore().executions(filter)
            if json {
                Terminal.line(ExecutionReport.json(executions))
                return
            }
            guard !executions.isEmpty else {
                Terminal.line("no executions recorded in \(options.storeDescription)")
                return
            }
            // Count columns as wide as their largest figure, so large counts never run together.
            func width(_ header: String, _ count: (ExecutionRecord) -> Int) -> Int {
                max(header.count, executions.map { String(count($0)).count }.max() ?? 0)
            }
            let widths = (width("IN", \.documentsIn), width("OUT", \.documentsOut), width("FAILED", \.documentsError))
            func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
            Terminal.line("ID".padding(toLength: 32, withPad: " ", startingAt: 0) + "STATUS".padding(toLength: 15, withPad: " ", startingAt: 0)
                          + "STARTED".padding(toLength: 25, withPad: " ", startingAt: 0)
                          + [right("IN", widths.0), right("OUT", widths.1), right("FAILED", widths.2), "PROCESS"].joined(separator: "  "))
            for execution in executions {
                let started = ExecutionReport.timestamp.string(from: execution.startTime)
                Terminal.line([
                    execution.id.padding(toLength: 32, withPad: " ", startingAt: 0),
                    execution.status.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0),
                    started.padding(toLength: 25, withPad: " ", startingAt: 0),
                    [right(String(execution.documentsIn), widths.0), right(String(execution.documentsOut), widths.1),
                     right(String(execution.documentsError), widths.2), execution.processID].joined(separator: "  "),
                ].joined())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one execution with its shapes, documents and tracked fields.")

        @Argument(help: "The execution id (or a unique prefix of at least 8 characters).")
        var id: String

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        @Option(name: .long, help: "Print the captured content of the document with this index (captureDocuments).")
        var document: Int?

        @Option(name: .long, help: "With --document: only the content captured at this shape.")
        var shape: String?

        @Option(name: .long, help: "With --document: only the input or the output content.")
        var direction: String?

        @Flag(name: .long, help: "With --document: print the exact bytes kept, nothing else (one content).")
        var raw = false

        @OptionGroup var options: WorkspaceOptions

        func validate() throws {
            if document == nil, shape != nil || direction != nil || raw {
                throw ValidationError("--shape, --direction and --raw go with --document N")
            }
            if let direction, direction != "input", direction != "output" {
                throw ValidationError("--direction must be 'input' or 'output', not '\(direction)'")
            }
        }

        func run() async throws {
            let store = try options.openStore()
            guard let execution = try store.execution(id: id) else {
                if id.count < 8 {
                    throw ValidationError("'\(id)' is not an execution id and too short to be a prefix: "
                        + "give the full id or a unique prefix of at least 8 characters")
                }
                Terminal.error("error: no execution '\(id)' in \(options.storeDescription)")
                throw ExitCode(1)
            }
            if let document {
                let contents = try store.documentContents(executionID: execution.id, index: document).filter {
                    (shape == nil || $0.shapeID == shape) && (direction == nil || $0.direction == direction)
                }
                try DocumentContentReport.print(contents, execution: execution.id, document: document,
                                                raw: raw, json: json)
                return
            }
            let documents = try store.documents(executionID: execution.id)
            let children = try store.childExecutions(of: execution.id)
            if json {
                Terminal.line(ExecutionReport.json(execution, documents: documents, children: children))
                return
            }
            ExecutionReport.printSummary(execution, failures: [], limit: 0)
            ExecutionReport.printChildren(children)
            if documents.isEmpty { return }
            Terminal.line("  documents:")
            for document in documents {
                let tracked = document.trackedValues.map { "\($0.name)=\($0.value)\($0.truncated ? "…" : "")" }
                var line = "    #\(document.index) \(document.shapeID) \(document.direction) \(document.status.rawValue)"
                if !tracked.isEmpty { line += "  " + tracked.joined(separator: " ") }
                if let error = document.error { line += "  error: \(error)" }
                if let code = document.errorCode { line += " [\(code)]" }
                // Tracked values and errors come from documents: one line each, whatever they hold.
                Terminal.line(PrintableText.escapingControls(line))
            }
        }
    }
}
