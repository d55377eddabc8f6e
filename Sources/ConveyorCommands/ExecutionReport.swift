import ConveyorBase
import ExecutionStore
import Foundation

/// How executions, documents and tracked values are shown on the terminal.
enum ExecutionReport {
    /// Timestamps as `2026-11-21T12:00:00.123Z`.
    static let timestamp = Timestamp()

    struct Timestamp: Sendable {
        /// As the store writes it (rounded to the millisecond), not through Foundation's format
        /// styles, whose first use sets up calendars (about 1.8 million instructions a command).
        func string(from date: Date) -> String {
            StoreTimestamp.text(from: date)
        }
    }

    /// A readable summary of one execution, with its shapes and failed documents.
    static func printSummary(_ execution: ExecutionRecord, failures: [DocumentRecord], limit: Int = 20) {
        let seconds = execution.endTime.map { FixedDecimal.string($0.timeIntervalSince(execution.startTime), places: 2) + " s" } ?? "running"
        Terminal.line("execution \(execution.id)  \(execution.status.rawValue)")
        Terminal.line("  process    \(execution.processID) (\(execution.processName)), trigger \(execution.trigger)")
        if let parent = execution.parentExecutionID { Terminal.line("  parent     \(parent)") }
        Terminal.line("  started    \(timestamp.string(from: execution.startTime)), took \(seconds)")
        let deadLettered = execution.documentsDeadLettered == 0 ? ""
            : ", \(execution.documentsDeadLettered) dead-lettered"
        Terminal.line("  documents  \(execution.documentsIn) in, \(execution.documentsOut) out, "
                      + "\(execution.documentsError) failed\(deadLettered)")
        if execution.retries > 0 { Terminal.line("  retries    \(execution.retries) requests sent again after transient failures") }
        if !execution.shapeCounts.isEmpty {
            let width = max(5, execution.shapeCounts.map(\.shapeID.count).max() ?? 5)
            Terminal.line("  " + padded("shape", to: width) + "       in      out   failed")
            for shape in execution.shapeCounts {
                Terminal.line("  " + padded(shape.shapeID, to: width)
                    + pad(shape.documentsIn) + pad(shape.documentsOut) + pad(shape.documentsError))
            }
        }
        // Messages carry documents' values and far ends' answers: their control characters are
        // escaped, so that none forges a line of this summary or acts on the terminal.
        let printable: (String) -> String = PrintableText.escapingControls
        for line in execution.userLog { Terminal.line("  log: " + printable(line)) }
        if let error = execution.error { Terminal.line("  error: " + printable(error)) }
        for failure in failures.prefix(limit) {
            let kind = failure.status == .deadLettered ? "dead-lettered" : "failed"
            let code = failure.errorCode.map { " [\($0)]" } ?? ""
            Terminal.line("  \(kind) document \(failure.index) at shape '\(failure.shapeID)': "
                          + printable(failure.error ?? "unknown error") + code)
        }
        // The rest counted from the execution: `failures` may be only the first of them (a run
        // fetches at most 1,000).
        let shown = min(limit, failures.count)
        let total = max(failures.count, execution.documentsError + execution.documentsDeadLettered)
        if limit > 0, total > shown {
            Terminal.line("  … \(total - shown) more failed or dead-lettered documents: "
                          + "conveyor executions show \(execution.id)")
        }
    }

    /// `text` and spaces up to `width` characters (Foundation's `padding(toLength:…)` goes through
    /// `NSString`, counts UTF-16 units and cuts longer text).
    private static func padded(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    private static func pad(_ number: Int) -> String {
        let text = String(number)
        return String(repeating: " ", count: max(1, 9 - text.count)) + text
    }

    /// The execution (and optionally its documents and child executions) as pretty-printed JSON.
    static func json(_ execution: ExecutionRecord, documents: [DocumentRecord]? = nil,
                     children: [ExecutionRecord]? = nil) -> String {
        var object = executionObject(execution)
        if let documents { object["documents"] = documents.map(documentObject) }
        if let children { object["childExecutions"] = children.map(childObject) }
        return encode(object)
    }

    /// A child execution in its parent's JSON: id, process, status and start time.
    static func childObject(_ child: ExecutionRecord) -> [String: Any] {
        ["id": child.id, "processId": child.processID, "status": child.status.rawValue,
         "startTime": timestamp.string(from: child.startTime)]
    }

    /// The child executions of a parent, one line each.
    static func printChildren(_ children: [ExecutionRecord]) {
        guard !children.isEmpty else { return }
        Terminal.line("  child executions:")
        for child in children {
            Terminal.line("    \(child.id)  \(child.status.rawValue)  \(child.processID)  "
                + "started \(timestamp.string(from: child.startTime))")
        }
    }

    /// The execution summary as a JSON object: ``ExecutionRecord``'s one `Codable` shape, the one the
    /// REST API answers with, to which `executions show` and `run` add `documents` and `childExecutions`.
    static func executionObject(_ execution: ExecutionRecord) -> [String: Any] {
        jsonObject(execution)
    }

    /// Executions as a pretty-printed JSON array of execution summaries.
    static func json(_ executions: [ExecutionRecord]) -> String {
        guard let data = try? ExecutionJSON.encoder(pretty: true).encode(executions) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A document tracking record as a JSON object: ``DocumentRecord``'s one `Codable` shape, the one
    /// the REST API answers with.
    static func documentObject(_ document: DocumentRecord) -> [String: Any] {
        jsonObject(document)
    }

    /// `value`'s `Codable` form (with ``ExecutionJSON``'s dates) as a JSON object.
    static func jsonObject(_ value: some Encodable) -> [String: Any] {
        guard let data = try? ExecutionJSON.encoder().encode(value),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }

    static func encode(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
