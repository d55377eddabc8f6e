import ArgumentParser
import ConveyorBase
import ExecutionStore
import Foundation

/// `conveyor tracked search --field NAME=VALUE` and `conveyor tracked export --format csv|jsonl`.
struct TrackedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracked",
        abstract: "Search the custom tracked fields recorded for documents.",
        subcommands: [Search.self, Export.self]
    )

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "search",
            abstract: "Find the executions and documents whose tracked field has a value.",
            discussion: "Example: conveyor tracked search --field orderId=1001"
        )

        @Option(name: .long, help: "NAME=VALUE: the tracked field and its exact value.")
        var field: String

        @Option(name: .long, parsing: .unconditional, help: "At most this many matches (1 to 10000).")
        var limit: Int = 100

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        @Flag(name: .long, help: "Print how long the search itself took to standard error.")
        var timing = false

        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            let (name, value) = try TrackedCommand.fieldFilter(field)
            try WorkspaceOptions.checkLimit(limit)
            let store = try options.openStore()
            try options.checkTrackedField(name)
            let clock = ContinuousClock()
            let started = clock.now
            let matches = try store.searchTracked(field: name, value: value, limit: limit,
                                                  numeric: options.isNumberTrackedField(name))
            if timing {
                let elapsed = clock.now - started
                let milliseconds = Double(elapsed.components.seconds) * 1000
                    + Double(elapsed.components.attoseconds) / 1e15
                Terminal.error("search took \(FixedDecimal.string(milliseconds, places: 3)) ms")
            }
            if json {
                Terminal.line(ExecutionReport.encode(matches.map { match -> [String: Any] in
                    var object = ExecutionReport.documentObject(match.document)
                    object["executionId"] = match.execution.id
                    object["processId"] = match.execution.processID
                    object["executionStatus"] = match.execution.status.rawValue
                    object["startTime"] = ExecutionReport.timestamp.string(from: match.execution.startTime)
                    object["field"] = match.field
                    object["value"] = match.value
                    return object
                }))
                return
            }
            guard !matches.isEmpty else {
                Terminal.line("no document has tracked field \(name) = \(value)")
                return
            }
            for match in matches {
                let started = ExecutionReport.timestamp.string(from: match.execution.startTime)
                let others = match.document.trackedValues.filter { $0.name != name }.map { "\($0.name)=\($0.value)" }
                var line = "\(match.execution.id)  \(match.execution.processID)  \(started)  "
                    + "shape \(match.document.shapeID) document #\(match.document.index) \(match.document.status.rawValue)"
                if !others.isEmpty { line += "  " + others.joined(separator: " ") }
                if let error = match.document.error { line += "  error: \(error)" }
                // Tracked values and errors come from documents: one line each, whatever they hold.
                Terminal.line(PrintableText.escapingControls(line))
            }
        }
    }

    /// Splits `NAME=VALUE`.
    static func fieldFilter(_ text: String) throws -> (name: String, value: String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw ValidationError("--field '\(text)' must be NAME=VALUE")
        }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }
}
