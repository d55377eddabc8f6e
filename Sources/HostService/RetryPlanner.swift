import ExecutionStore
import Foundation
import ProcessEngine
import ProcessModel

/// Builds the retry of an execution's failed documents from the contents its store kept
/// (`captureDocuments`): each failed or dead-lettered document is sent again into the connector
/// shape where it failed, or into the shape after the start shape when the process says
/// `retryFrom="start"`. Used by `POST /api/executions/{id}/retry`, the reporting page's button
/// and `conveyor executions retry`.
///
/// An execution is retried once: the retry's id is derived from the original's
/// (``retryID(of:attempt:)``), so two retries started at once (two hosts, a host and a command)
/// cannot both be recorded; the store refuses the second. `force` retries it again.
public struct RetryPlanner: Sendable {
    public let store: ExecutionStore
    public let workspace: Workspace

    public init(store: ExecutionStore, workspace: Workspace) {
        self.store = store
        self.workspace = workspace
    }

    /// A retry ready to run.
    public struct Retry: Sendable {
        /// The execution retried.
        public var original: ExecutionRecord
        /// The id the retry execution gets.
        public var executionID: String
        public var plan: RetryPlan
    }

    /// Why a retry cannot start.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public enum Kind: Sendable { case notFound, conflict }
        public var kind: Kind
        public var message: String
        public var description: String { message }
    }

    /// The most retries of one execution `force` makes.
    public static let maximumAttempts = 9

    /// The id of the `attempt`-th retry of execution `id`: `ID-retry`, then `ID-retry2` ….
    public static func retryID(of id: String, attempt: Int = 1) -> String {
        attempt <= 1 ? id + "-retry" : id + "-retry\(attempt)"
    }

    /// The retry of execution `executionID` (an id or an unambiguous prefix).
    public func retry(executionID: String, force: Bool = false) throws -> Retry {
        guard let original = try store.execution(id: executionID) else {
            throw Refusal(kind: .notFound, message: "no execution has the id '\(executionID)'")
        }
        guard original.status != .inProcess else {
            throw Refusal(kind: .conflict, message: "execution \(original.id) is still running; retry it once it ended")
        }
        guard let process = workspace.processes[original.processID] else {
            throw Refusal(kind: .conflict, message: "process '\(original.processID)' of execution \(original.id) is not "
                          + "in the workspace any more; nothing to send its documents through")
        }
        let retryID = try freeRetryID(of: original, force: force)
        let contents = try store.documentContents(executionID: original.id)
        let plan = try plan(original: original, process: process, contents: contents)
        return Retry(original: original, executionID: retryID, plan: plan)
    }

    /// The id for a new retry of `original`, refusing when it was retried already (unless `force`).
    private func freeRetryID(of original: ExecutionRecord, force: Bool) throws -> String {
        for attempt in 1...Self.maximumAttempts {
            let id = Self.retryID(of: original.id, attempt: attempt)
            guard let earlier = try store.execution(exactID: id) else { return id }
            if earlier.status == .inProcess {
                throw Refusal(kind: .conflict, message: "execution \(original.id) is being retried now by \(earlier.id)")
            }
            if !force {
                let documents = "\(earlier.documentsIn) document(s) sent, \(earlier.documentsError) failed"
                throw Refusal(kind: .conflict, message: "execution \(original.id) was already retried by \(earlier.id) "
                              + "(\(earlier.status.rawValue), \(documents)); retry \(earlier.id) to send what failed "
                              + "again there, or force a new retry of \(original.id) (--force; force=true through the "
                              + "API; what \(earlier.id) delivered would be sent twice)")
            }
        }
        throw Refusal(kind: .conflict, message: "execution \(original.id) was retried \(Self.maximumAttempts) times already")
    }

    /// The documents to send again: the kept input of each document that failed or was
    /// dead-lettered at a connector shape, whole and unredacted.
    func plan(original: ExecutionRecord, process: ProcessDefinition,
              contents: [DocumentContentRecord]) throws -> RetryPlan {
        var seen = Set<String>()
        var failed: [DocumentContentRecord] = []
        for record in contents where record.direction == "input"
            && (record.status == .error || record.status == .deadLettered) {
            if seen.insert("\(record.shapeID)\u{0}\(record.index)").inserted { failed.append(record) }
        }
        let failedCount = original.documentsError + original.documentsDeadLettered
        guard !failed.isEmpty else {
            let reason: String
            if failedCount == 0 {
                reason = "no document failed in it"
            } else if process.captureDocuments == .none {
                reason = "its process keeps no documents' contents (captureDocuments=\"none\")"
            } else {
                reason = "no content of its \(failedCount) failed document(s) was kept (only documents failing at "
                    + "connector shapes are kept, and contents go with retention)"
            }
            throw Refusal(kind: .conflict, message: "execution \(original.id) has nothing to retry: \(reason)")
        }
        if let cut = failed.first(where: \.cut) {
            throw Refusal(kind: .conflict, message: "execution \(original.id) cannot be retried: the content of document "
                          + "\(cut.index) at shape '\(cut.shapeID)' was kept cut at \(cut.storedSize) of its \(cut.size) "
                          + "bytes (captureLimit); nothing was sent again")
        }
        if let redacted = failed.first(where: \.redacted) {
            throw Refusal(kind: .conflict, message: "execution \(original.id) cannot be retried: document "
                          + "\(redacted.index) at shape '\(redacted.shapeID)' held a secret value, kept as ***; "
                          + "nothing was sent again")
        }
        let entryShape: (String) -> String?
        switch process.retryFrom {
        case .shape:
            entryShape = { shapeID in process.shapes.contains { $0.id == shapeID } ? shapeID : nil }
        case .start:
            guard let start = process.startShape, case .start(_, let next) = start.kind else {
                throw Refusal(kind: .conflict, message: "process '\(process.id)' has no start shape")
            }
            entryShape = { _ in next }
        }
        var entries: [RetryPlan.Entry] = []
        for record in failed {
            guard let shapeID = entryShape(record.shapeID) else {
                throw Refusal(kind: .conflict, message: "execution \(original.id) cannot be retried: shape "
                              + "'\(record.shapeID)', where document \(record.index) failed, is not in process "
                              + "'\(process.id)' any more")
            }
            let document = Document(data: record.content, properties: record.properties)
            if let position = entries.firstIndex(where: { $0.shapeID == shapeID }) {
                entries[position].documents.append(document)
            } else {
                entries.append(RetryPlan.Entry(shapeID: shapeID, documents: [document]))
            }
        }
        var notes: [String] = []
        if failedCount > failed.count {
            notes.append("\(failedCount - failed.count) other failed document(s) of execution \(original.id) had no "
                         + "kept content (they failed outside connector shapes) and were not sent again")
        }
        return RetryPlan(originalExecutionID: original.id, entries: entries, notes: notes)
    }
}
